"""The JSON API's URLs, and what sets the API apart from the pages: no session, no CSRF token (no
cookie to forge a request with), and a token checked before every view (casework.api.guard)."""

from flask import Blueprint

from casework.api import API_PREFIX, guard, routes
from casework.api.sessions import keep_sessions_apart
from casework.extensions import csrf

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)

bp.add_url_rule("/intake", view_func=routes.intake, methods=["POST"])
bp.add_url_rule("/releases", view_func=routes.release_list, methods=["GET"])
bp.add_url_rule("/releases/<period>", view_func=routes.release, methods=["GET"])
bp.add_url_rule("/openapi.json", view_func=routes.openapi, methods=["GET"])

bp.before_request(guard.guard)
bp.record_once(lambda state: keep_sessions_apart(state.app))
csrf.exempt(bp)
