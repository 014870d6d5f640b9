"""What the audit trail tells reviewers about possible misuse."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import Select, func, select

from casework import bounds
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
    return [
        FlagSummary(db.session.get(User, actor) if actor else None, action, times, first, last)
        for actor, action, times, first, last in rows
    ]


def trail_filters(args) -> dict:
    """The trail's filters from the query string, bounded (no value a client sends gives a 500)."""
    return {
        "actor": bounds.whole_number(args, "actor"),
        "case": args.get("case", "").strip()[:36],
        "action": args.get("action", "")[:64],
        "from": bounds.day(args, "from"),
        "to": bounds.day(args, "to"),
        "flagged": "1" if args.get("flagged") else "",
    }


def trail_query(filters: dict) -> Select:
    """The audit rows that pass `filters`, newest first."""
    query = select(AuditEvent).order_by(AuditEvent.seq.desc())
    if filters["actor"]:
        query = query.where(AuditEvent.actor_id == filters["actor"])
    if filters["case"]:
        query = query.where(AuditEvent.case_id == filters["case"])
    if filters["action"]:
        query = query.where(AuditEvent.action == filters["action"])
    if filters["flagged"]:
        query = query.where(AuditEvent.action.in_(MISUSE_FLAGS))
    if filters["from"]:
        query = query.where(AuditEvent.at >= datetime.combine(filters["from"], time.min))
    if filters["to"]:
        query = query.where(AuditEvent.at < datetime.combine(filters["to"] + timedelta(days=1), time.min))
    return query


def recorded_actions() -> list[str]:
    return db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()


def accounts_by_id() -> dict[int, User]:
    return {user.id: user for user in db.session.scalars(select(User).order_by(User.email))}
