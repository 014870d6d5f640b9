"""Writes audit events in the same transaction as the change they describe."""

from flask import has_request_context, request
from flask_login import current_user

from casework.extensions import db
from casework.models import AuditEvent


def record(action: str, *, actor=None, target=None, detail: str | None = None) -> AuditEvent:
    """Add an audit row to the current transaction: it is committed with the change, or not at all."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_user_id=target.id if target is not None else None,
        detail=detail,
        address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
