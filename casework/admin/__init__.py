"""Account administration: invitations, roles, deactivation and second-factor resets. Admins only."""

from flask import Blueprint, abort
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def admins_only():
    if not current_user.is_authenticated or not current_user.has_role("admin"):
        abort(403)


from casework.admin import routes  # noqa: E402,F401
