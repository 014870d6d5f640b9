"""Long work started from a page and done by the job worker: what it is, how far it got, how it ended.

The row is the page's view of the job; the queue (Huey) only carries the job's id to the worker.
A result is a short code, never a count of cases or anything about a person; `done` and `total`
stay in the database, and the jobs page shows neither, since a total of cases is a count of them.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.clock import utcnow
from casework.extensions import db

JOB_STATES = ("queued", "running", "done", "failed")


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    #: The id of what the job works on, for kinds that work on one thing (an import run).
    subject: Mapped[str | None] = mapped_column(String(36), index=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
