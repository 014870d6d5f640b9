"""The job worker's entry point: `huey_consumer casework.worker.queue`.

It builds the app once and runs each job inside its app context, so that `casework.jobs` needs no
app factory of its own (and the rules never import the web).
"""

import threading

from casework import create_app
from casework.jobs import prepare_queue, queue
from casework.logs import withhold_details_in_every_handler

app = create_app()
prepare_queue()
_contexts = threading.local()


@queue.on_startup()
def withhold_details_in_the_workers_log() -> None:
    """huey_consumer imports this module (building the app, which filters the handlers there are)
    and only then adds its own handler to the "huey" logger, which logs a failed task's exception
    with its text and traceback: each worker thread filters that handler too as it starts, before
    it runs a task (S19)."""
    withhold_details_in_every_handler()


@queue.pre_execute()
def enter_app(_task) -> None:
    _contexts.current = app.app_context()
    _contexts.current.push()


@queue.post_execute()
def leave_app(_task, _result, _error) -> None:
    _contexts.current.pop()


__all__ = ["queue"]
