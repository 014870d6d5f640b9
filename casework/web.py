"""What every request gets: sign-in required except where `casework.permissions` says PUBLIC (S1), one commit, and security headers (S13)."""

import io

from flask import Flask, Request, Response, current_app, g, redirect, request, url_for
from flask_login import current_user

from casework.api import is_api_path
from casework.bounds import refuse_impossible_values
from casework.extensions import db
from casework.permissions import INTEGRATION_TOKEN, PUBLIC, capability_of

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class InMemoryUploads(Request):
    """Uploaded files stay in memory while a request is read. Werkzeug writes any upload over 500 KB
    to a temporary file first, and a scan or a spreadsheet of people would then lie on the server's
    disk in plaintext, beyond the app's encryption and deletion (S2). MAX_CONTENT_LENGTH bounds
    what a request can hold in memory."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return io.BytesIO()


def require_sign_in():
    """Anonymous page loads go to the sign-in page; anything else a browser fetches on its own (an
    icon, say) just gets 401, since following it to the sign-in page would reset a half-done
    second-factor step. The API (any address under its prefix, even one it does not serve) answers
    for itself with problem+json, and never sends a client to the sign-in page."""
    if current_user.is_authenticated or is_api_path(request.path):
        return None
    if capability_of(current_app, request.endpoint) in (PUBLIC, INTEGRATION_TOKEN):
        return None
    if request.headers.get("Sec-Fetch-Dest", "document") != "document":
        return Response(status=401)
    return redirect(url_for("security.login"))


def commit_or_roll_back(response: Response) -> Response:
    """One commit per request, after the view has done all its work; nothing is kept on an error,
    except where a view has marked the refusal as worth keeping (`keep_refusal`)."""
    if response.status_code < 400 or g.get("keep_refusal"):
        _commit_without_expiring()
    else:
        db.session.rollback()
    return response


def _commit_without_expiring() -> None:
    """Commit, but leave the request's objects as they are: the page is built, the session ends with
    the request, and expiring each object the request loaded (the commit's default, so that the next
    read sees other transactions' changes) was 4% of a case list's CPU in a profile, for nothing."""
    session = db.session()
    expiring, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


def keep_refusal() -> None:
    """Commit this request although it answers with an error: the view rolled back its changes and
    recorded only the refusal (say, the audit row of a page shown with a form's errors)."""
    db.session.rollback()
    g.keep_refusal = True


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    headers["Cache-Control"] = "no-store"
    headers["Pragma"] = "no-cache"
    if request.is_secure or current_app.config["CASEWORK_ENV"] == "production":
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return response


def init_web(app: Flask) -> None:
    app.before_request(refuse_impossible_values)
    app.before_request(require_sign_in)
    app.after_request(commit_or_roll_back)
    app.after_request(add_security_headers)
