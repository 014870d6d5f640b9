"""The JSON API's URLs, and what sets the API apart from the pages: no session, no CSRF token (no
cookie to forge a request with), and a token checked before every view (casework.api.guard)."""

from flask import Blueprint

from casework.api import API_PREFIX, guard, routes
from casework.extensions import csrf
from casework.sessionless import open_no_session_under

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)

bp.add_url_rule("/intake", view_func=routes.intake, methods=["POST"])
bp.add_url_rule("/releases", view_func=routes.release_list, methods=["GET"])
bp.add_url_rule("/releases/<period>", view_func=routes.release, methods=["GET"])
bp.add_url_rule("/openapi.json", view_func=routes.openapi, methods=["GET"])

bp.before_request(guard.guard)
bp.record_once(lambda state: open_no_session_under(state.app, API_PREFIX))
csrf.exempt(bp)
