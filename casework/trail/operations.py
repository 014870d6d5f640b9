"""What the audit trail tells reviewers about possible misuse."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from casework.cases.exports import EXPORT_FLAG
from casework.cases.intake import HIT_FLAG
from casework.cases.read_budget import FLAG as READ_BUDGET_FLAG
from casework.extensions import db
from casework.models import AuditEvent, User

#: Rows that signal possible misuse: highlighted in the trail and summed up on the flags page.
MISUSE_FLAGS = frozenset({READ_BUDGET_FLAG, HIT_FLAG, EXPORT_FLAG})


@dataclass
class FlagSummary:
    user: User | None
    action: str
    times: int
    first: datetime
    last: datetime


def misuse_flags() -> list[FlagSummary]:
    """Per account and kind of flag: how many times, first and last; the most recent first."""
    rows = db.session.execute(
        select(AuditEvent.actor_id, AuditEvent.action, func.count(), func.min(AuditEvent.at), func.max(AuditEvent.at))
        .where(AuditEvent.action.in_(MISUSE_FLAGS))
        .group_by(AuditEvent.actor_id, AuditEvent.action)
        .order_by(func.max(AuditEvent.at).desc())
    ).all()
    return [FlagSummary(db.session.get(User, actor) if actor else None, action, times, first, last) for actor, action, times, first, last in rows]
