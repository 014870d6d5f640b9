"""`/healthz`: whether this instance can serve, for systemd, the proxy and monitoring.

Public, because a prober has no account; it says nothing but yes (204) or no (503), opens no
session, writes no audit row, and touches no table: a `SELECT 1` is enough to know that the
database accepts connections and queries.
"""

from flask import Blueprint, Response, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from casework.extensions import db
from casework.permissions import PUBLIC, require
from casework.sessionless import open_no_session_under

PATH = "/healthz"

bp = Blueprint("health", __name__)
# Even a request that carries a signed-in browser's cookie: the session is neither read nor saved.
bp.record_once(lambda state: open_no_session_under(state.app, PATH))


@bp.get(PATH)
@require(PUBLIC)
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        current_app.logger.warning("Health check failed: database unreachable (%s)", type(error).__name__)
        return Response(status=503)
    return Response(status=204)
