"""Long work out of requests: re-evaluating every open case, the retention run and spreadsheet
imports go to a worker.

A page starts a job by adding a `Job` row and putting its id on a Huey queue; the worker
(`huey_consumer casework.worker.queue`, started by `make run` beside the app, and by its own systemd
unit in production) runs it in its own app context, one transaction per batch, writing progress to
the row (the page shows it) and its own audit rows. The queue lives in a SQLite file next to the
database by default and in Redis when `CASEWORK_REDIS_URL` is set; `CASEWORK_JOB_STORE=memory`
keeps it in the process (the tests run jobs themselves with `run_queued`).
"""

import logging
import os
import uuid
from collections.abc import Callable

from flask import current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey

from casework import audit
from casework.cases import retention
from casework.clock import utcnow
from casework.config import INSTANCE_DIR
from casework.extensions import db
from casework.models import Job, User
from casework.rules import tagging

log = logging.getLogger(__name__)


def _queue():
    """No result store: the app reads a job's state from its `Job` row, and a task that failed for
    good would otherwise leave its error's text and traceback in Redis or jobs.sqlite (S19)."""
    store = os.environ.get("CASEWORK_JOB_STORE", "")
    if store == "memory":
        return MemoryHuey("casework", results=False)
    if os.environ.get("CASEWORK_REDIS_URL"):
        return RedisHuey("casework", results=False, url=os.environ["CASEWORK_REDIS_URL"])
    # No tables at import: the file is made when the first job is queued or the worker starts.
    return SqliteHuey("casework", results=False, filename=store or str(INSTANCE_DIR / "jobs.sqlite"), create_tables=False)


queue = _queue()


def _reevaluate(requester: User | None, progress: Callable[[int, int], None], _subject: str | None) -> None:
    """After a new baseline: every open case re-tagged. The audit row names the baseline but gives
    no count, since a crafted baseline would turn counts into exact numbers about a group."""
    total = tagging.open_case_count()
    _count, _change, baseline = tagging.reevaluate_open_cases(progress=lambda done: progress(done, total))
    audit.record("cases_reevaluated", actor=requester, detail=baseline.version)


def _retention(_requester: User | None, progress: Callable[[int, int], None], _subject: str | None) -> None:
    retention.erase_expired(current_app.config["CASEWORK_RETENTION_MONTHS"], progress=progress)


def _import(requester: User | None, progress: Callable[[int, int], None], run_id: str | None) -> None:
    """A spreadsheet import run (`subject`). Its rows are checked with the intake form's fields, so
    the module is loaded here, when an import runs, and the other jobs stay free of web code."""
    from casework.imports.importing import import_run

    import_run(run_id, requester, progress=progress)


def _import_check(_requester: User | None, progress: Callable[[int, int], None], run_id: str | None) -> None:
    """The dry run of a spreadsheet import (`subject`), which can take longer than a request may."""
    from casework.imports.importing import check_run

    check_run(run_id, progress=progress)


#: What each kind of job does, given who asked for it, `progress(done, total)` to move its row, and
#: the id of what it works on (or None).
KINDS: dict[str, Callable] = {
    "reevaluate": _reevaluate,
    "retention": _retention,
    "import": _import,
    "import_check": _import_check,
}


class NotCommittedYet(Exception):
    """The job's row is not visible yet (its request is still committing): Huey tries again."""


def prepare_queue() -> None:
    """Create the SQLite queue's tables if they are missing (Redis and memory need nothing)."""
    if isinstance(queue, SqliteHuey):
        queue.storage.initialize_schema()


def start(kind: str, actor: User, subject: str | None = None) -> Job:
    """Queue a job; the request that calls this commits its row (and its audit row) as usual."""
    if kind not in KINDS:
        raise KeyError(kind)
    job = Job(id=str(uuid.uuid4()), kind=kind, requested_by_id=actor.id, subject=subject)
    db.session.add(job)
    audit.record("job_queued", actor=actor, detail=kind)
    prepare_queue()
    run_job(job.id)
    return job


@queue.task(retries=10, retry_delay=3)
def run_job(job_id: str) -> None:
    """Run one queued job in the current app context (the worker's, see `casework.worker`)."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotCommittedYet(job_id)
    if job.state != "queued":
        return
    job.state = "running"
    db.session.commit()

    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total
        db.session.commit()

    try:
        KINDS[job.kind](db.session.get(User, job.requested_by_id) if job.requested_by_id else None, progress, job.subject)
    except Exception as error:  # noqa: BLE001  (a failed job is recorded, never re-raised into the worker loop)
        db.session.rollback()
        log.error("Job %s failed: %s", job.kind, type(error).__name__)
        job = db.session.get(Job, job_id)
        job.state = "failed"
    else:
        job.state = "done"
    job.finished_at = utcnow()
    requester = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
    audit.record("job_finished", actor=requester, detail=f"{job.kind}:{job.state}")
    db.session.commit()


def run_queued() -> int:
    """Run every job waiting on an in-process queue, here and now (tests, and `flask jobs run`)."""
    ran = 0
    while (task := queue.dequeue()) is not None:
        queue.execute(task)
        ran += 1
    return ran


def latest_for(subject: str, kind: str) -> Job | None:
    """The most recent job of `kind` that worked on `subject`."""
    query = db.select(Job).where(Job.subject == subject, Job.kind == kind).order_by(Job.requested_at.desc())
    return db.session.scalars(query.limit(1)).first()


def recent(limit: int = 20) -> list[Job]:
    return db.session.scalars(db.select(Job).order_by(Job.requested_at.desc()).limit(limit)).all()
