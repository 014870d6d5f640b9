from urllib.parse import urlsplit

from flask import redirect, request, session
from flask_login import current_user
from flask_security.utils import validate_redirect_url

from casework.auth.forms import LanguageForm
from casework.extensions import db
from casework.permissions import PUBLIC, require


def _safe_next(target: str | None) -> str:
    """Only a path on this site, as judged by Flask-Security's redirect check: never an open redirect.

    Characters a browser would drop or a header cannot carry (tabs, newlines, other controls and
    invisible separators) are refused first, so that what is checked is what is sent. Browsers read
    a backslash as a slash, which that check does not do for `/\\host`, so the path is also checked
    the way a browser reads it.
    """
    as_a_browser_reads_it = (target or "").replace("\\", "/")
    if (
        target
        and target.startswith("/")
        and target.isprintable()
        and validate_redirect_url(target)
        and not urlsplit(as_a_browser_reads_it).netloc
    ):
        return target
    return "/"


@require(PUBLIC)
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
