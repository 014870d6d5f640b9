"""The case area: intake, case pages, lists, search, deadlines. Volunteers and coordinators only;
everyone else gets 404, as if it did not exist (S14)."""

from flask import Blueprint, abort
from flask_login import current_user

bp = Blueprint("cases", __name__, url_prefix="/cases")

CASE_ROLES = {"volunteer", "coordinator"}


@bp.before_request
def caseworkers_only():
    if not current_user.is_authenticated or current_user.role_name not in CASE_ROLES:
        abort(404)


from casework.cases import display, routes  # noqa: E402,F401
