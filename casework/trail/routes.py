from datetime import datetime, time, timedelta

from flask import render_template, request
from sqlalchemy import select

from casework import bounds
from casework.extensions import db
from casework.i18n import FLAG_LABELS
from casework.models import AuditEvent, User
from casework.permissions import require
from casework.trail.operations import MISUSE_FLAGS, misuse_flags


def _day(name: str):
    return bounds.day(request.args, name)


@require("audit.read")
def index():
    query = select(AuditEvent).order_by(AuditEvent.seq.desc())
    actor = bounds.whole_number(request.args, "actor")
    if actor:
        query = query.where(AuditEvent.actor_id == actor)
    case = request.args.get("case", "").strip()
    if case:
        query = query.where(AuditEvent.case_id == case)
    action = request.args.get("action", "")
    if action:
        query = query.where(AuditEvent.action == action)
    if request.args.get("flagged"):
        query = query.where(AuditEvent.action.in_(MISUSE_FLAGS))
    start, end = _day("from"), _day("to")
    if start:
        query = query.where(AuditEvent.at >= datetime.combine(start, time.min))
    if end:
        query = query.where(AuditEvent.at < datetime.combine(end + timedelta(days=1), time.min))
    page = db.paginate(query, page=bounds.page_number(request.args), per_page=50, error_out=False)
    users = {user.id: user for user in db.session.scalars(select(User).order_by(User.email))}
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    filters = {"actor": actor, "case": case, "action": action, "from": request.args.get("from", ""), "to": request.args.get("to", ""), "flagged": request.args.get("flagged", "")}
    return render_template("trail/index.html", page=page, users=users, actions=actions, filters=filters, flags=MISUSE_FLAGS)


@require("audit.read")
def flags():
    """Who set off a misuse flag, how often, first and last: the reviewers' starting point."""
    return render_template("trail/flags.html", summaries=misuse_flags(), FLAG_LABELS=FLAG_LABELS)
