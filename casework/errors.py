"""Error pages: translated, generic, and never a traceback or a value from the request."""

from flask import Flask, current_app, g, render_template, request
from flask_babel import LazyString
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from casework.api import is_api_path, problems
from casework.i18n import _l
from casework.logs import places

MESSAGES = {
    400: (_l("Bad request"), _l("The form could not be accepted. Go back, reload the page and try again.")),
    403: (_l("Not allowed"), _l("Your account does not give access to this page.")),
    404: (_l("Page not found"), _l("There is no page at this address, or you cannot see it.")),
    405: (_l("Not allowed"), _l("This page cannot be used this way.")),
    409: (
        _l("Not possible"),
        _l("This record cannot take this change any more, for example because the person's data was erased."),
    ),
    413: (_l("File too large"), _l("The upload is larger than this service accepts.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Wait a few minutes and try again.")),
    500: (_l("Something went wrong"), _l("The request could not be completed and nothing was saved. Try again later.")),
}


def render_error(code: int, message=None):
    title, generic = MESSAGES.get(code, MESSAGES[500])
    status = code if code in MESSAGES else 500
    return render_template("errors/error.html", code=status, title=title, message=message or generic), status


def handle_http_exception(error: HTTPException):
    """Werkzeug's own descriptions are English and generic; a refusal Casework raises carries a
    translated (lazy) description written for the user, and that is shown instead."""
    if is_api_path(request.path):
        return problems.from_http_exception(error)
    own = error.description if isinstance(error.description, LazyString) else None
    return render_error(error.code or 500, own)


def handle_csrf_error(_error: CSRFError):
    return render_error(400)


def log_failure(error: BaseException) -> None:
    """Log that a request failed, saying what kind of error and where in the code, but not the error's text."""
    current_app.logger.error("Unhandled %s on %s %s at %s", type(error).__name__, request.method, request.endpoint, places(error))


def handle_unexpected(error: Exception):
    log_failure(getattr(error, "original_exception", None) or error)
    if is_api_path(request.path):
        return problems.failure()
    return render_failure()


def render_failure():
    """The page for an unexpected failure, which may be the database's: it needs neither the
    database nor the session. The account is not loaded any more (the template context would load
    it), and the language is picked without either (`casework.i18n.select_locale`)."""
    g.request_failed = True
    if "_login_user" not in g:
        g._login_user = current_app.login_manager.anonymous_user()
    title, message = MESSAGES[500]
    return render_template("errors/failure.html", title=title, message=message), 500


def init_errors(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
