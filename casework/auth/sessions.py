"""Server-side sessions that can be ended (S11).

Idle timeout: the server-side session expires `PERMANENT_SESSION_LIFETIME` after the last request.
Absolute timeout: a sign-in is good for `CASEWORK_SESSION_ABSOLUTE` however active the user is.
A new session id at every sign-in, so a session id planted before sign-in is worthless. Ending every
session of one account (password change, second-factor reset, deactivation) is done by changing its
`fs_uniquifier`, which Flask-Security keeps in each session.
"""

from datetime import datetime, timezone

from flask import Flask, current_app, flash, redirect, session, url_for
from flask_login import current_user, user_logged_out
from flask_security import logout_user, user_authenticated

from casework import audit
from casework.extensions import security
from casework.i18n import _

SIGNED_IN_AT = "signed_in_at"


def _now() -> float:
    return datetime.now(timezone.utc).timestamp()


def end_all_sessions(user) -> None:
    """Every session of `user`, on every device, stops working at its next request."""
    security.datastore.set_uniquifier(user)


def _on_sign_in(app, user, **_extra) -> None:
    app.session_interface.regenerate(session)
    session[SIGNED_IN_AT] = _now()
    audit.record("sign_in", actor=user)


def _on_sign_out(app, user, **_extra) -> None:
    if user is not None and getattr(user, "id", None):
        audit.record("sign_out", actor=user)


def enforce_absolute_timeout():
    signed_in_at = session.get(SIGNED_IN_AT)
    if not current_user.is_authenticated or signed_in_at is None:
        return None
    limit = current_app.config["CASEWORK_SESSION_ABSOLUTE"].total_seconds()
    if _now() - signed_in_at <= limit:
        return None
    logout_user()
    session.clear()
    flash(_("Your session has ended. Please sign in again."), "info")
    return redirect(url_for("security.login"))


def init_sessions(app: Flask) -> None:
    user_authenticated.connect(_on_sign_in, app)
    user_logged_out.connect(_on_sign_out, app)
    app.before_request(enforce_absolute_timeout)
