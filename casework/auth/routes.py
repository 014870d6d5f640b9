from flask import redirect, request, session
from flask_login import current_user

from casework.auth import bp
from casework.auth.forms import LanguageForm
from casework.extensions import db


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to somewhere else."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@bp.post("/language")
def set_language():
    """Saved on the account when signed in, otherwise for this browser session only."""
    form = LanguageForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
            db.session.add(current_user)
        else:
            session["locale"] = form.locale.data
    return redirect(_safe_next(request.form.get("next")))
