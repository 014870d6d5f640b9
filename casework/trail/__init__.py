"""The audit trail, for coordinators and admins: who opened, searched, changed or exported what."""

from flask import Blueprint, abort
from flask_login import current_user

bp = Blueprint("trail", __name__, url_prefix="/audit")


@bp.before_request
def reviewers_only():
    if not current_user.is_authenticated or current_user.role_name not in ("coordinator", "admin"):
        abort(404)


from casework.trail import routes  # noqa: E402,F401
