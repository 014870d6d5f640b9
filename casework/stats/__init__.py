"""Anonymised statistics: differentially private releases for advocates (statistics.md).
Advocates, coordinators and admins only; volunteers get 404."""

from flask import Blueprint, abort
from flask_login import current_user

bp = Blueprint("stats", __name__, url_prefix="/stats")

STATS_ROLES = {"advocate", "coordinator", "admin"}


@bp.before_request
def readers_only():
    if not current_user.is_authenticated or current_user.role_name not in STATS_ROLES:
        abort(404)


from casework.stats import routes  # noqa: E402,F401
