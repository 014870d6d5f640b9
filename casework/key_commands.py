"""What every key command shares: an app that lets the command check the keys itself, the check
that comes before any change, batches with a progress bar, and the rotation record.

A key command never changes anything before the key file in use is proven to be the one the
database was written with; a refusal is one line (a `click.ClickException`) and writes nothing.
"""

from functools import update_wrapper

import click
from flask import current_app
from flask.cli import ScriptInfo
from sqlalchemy import func, select

from casework.batches import drained, run_in_batches
from casework.config import ConfigError
from casework.extensions import db
from casework.key_checks import require_sound, start_up_check_deferred
from casework.keyring import Keys, key_store
from casework.models import KeyCheck, KeyRotation


def key_command(function):
    """Like `flask.cli.with_appcontext`, but the app does not refuse to start over a wrong key file:
    the command checks the keys itself and says what is wrong without a traceback."""

    @click.pass_context
    def run(context: click.Context, *args, **kwargs):
        if not current_app:
            try:
                with start_up_check_deferred():
                    app = context.ensure_object(ScriptInfo).load_app()
            except ConfigError as refusal:
                raise click.ClickException(str(refusal)) from None
            context.with_resource(app.app_context())
        return context.invoke(function, *args, **kwargs)

    return update_wrapper(run, function)


def refuse(message: str) -> None:
    """Refuse in one line, leaving the database as it was."""
    db.session.rollback()
    raise click.ClickException(message)


def verified_keys() -> Keys:
    """The keys, once every version the database uses is proven present and right; new versions'
    check values are recorded (committed with the command's first change)."""
    try:
        keys = key_store().keys()
        require_sound(db.session, keys)
    except ConfigError as refusal:
        refuse(str(refusal))
    return keys


def unfinished_rotation(ring: str) -> KeyRotation | None:
    query = select(KeyRotation).where(KeyRotation.ring == ring, KeyRotation.finished_at.is_(None)).order_by(KeyRotation.id)
    return db.session.scalar(query.limit(1))


def highest_recorded(ring: str) -> int:
    return db.session.scalar(select(func.max(KeyCheck.version)).where(KeyCheck.ring == ring)) or 0


def drain(label: str, pending, handle, batch: int) -> int:
    """Handle what `pending(limit)` returns until nothing is left, committing each batch, with a
    progress bar; an interrupted run resumes with what is still pending."""
    return run_in_batches(drained(pending, batch), handle, total=len(pending(None)), label=label)
