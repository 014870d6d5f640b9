"""The job worker's entry point: `huey_consumer casework.worker.queue`.

It builds the app once and runs each job inside its app context, so that `casework.jobs` needs no
app factory of its own (and the rules never import the web).
"""

import threading

from casework import create_app
from casework.jobs import prepare_queue, queue

app = create_app()
prepare_queue()
_contexts = threading.local()


@queue.pre_execute()
def enter_app(_task) -> None:
    _contexts.current = app.app_context()
    _contexts.current.push()


@queue.post_execute()
def leave_app(_task, _result, _error) -> None:
    _contexts.current.pop()


__all__ = ["queue"]
