"""One hourly budget for every read of personal data by someone who sees only their own cases (S22).

A planted volunteer copies data by reading it: case pages, edit forms, documents, the due list's
entries and search results all draw on the same budget, kept by Flask-Limiter (in Redis in
production, so every worker counts together). Past it, every such route refuses, and one flag per
hour lands in the audit trail for coordinators (the refusal's handler rolls back everything else
the request wrote and keeps only that flag). Coordinators, who see every case by design, are
watched through the audit trail instead.
"""

from flask import current_app
from limits import parse
from sqlalchemy import select

from casework import audit
from casework.clock import utcnow
from casework.extensions import db, limiter
from casework.models import AuditEvent, User
from casework.permissions import can

FLAG = "read_budget_exceeded"


class BudgetSpent(Exception):
    """The reader is past their hourly budget: nothing is shown, and the flag is recorded."""


def _limit():
    return parse(f"{current_app.config['CASEWORK_VOLUNTEER_VIEWS_PER_HOUR']} per hour")


def spend(user: User, reads: int = 1) -> None:
    """Charge `reads` items of personal data to `user`, or raise `BudgetSpent`."""
    if can(user, "cases.see_all") or reads <= 0:
        return
    if not limiter.limiter.hit(_limit(), "reads", str(user.id), cost=reads):
        raise BudgetSpent


def flag_once(user: User) -> None:
    """One flag per reader and hour, however many refusals follow (the request keeps only this row)."""
    since = utcnow().replace(minute=0, second=0, microsecond=0)
    flagged = db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.actor_id == user.id, AuditEvent.action == FLAG, AuditEvent.at >= since)
    )
    if flagged is None:
        audit.record(FLAG, actor=user)
