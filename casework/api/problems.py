"""Errors under /api/v1 as `application/problem+json` (RFC 9457), titled in the caller's language.

The language comes from Accept-Language alone: an API request carries no session and no account.
A problem never repeats a value the caller sent (it could be a person's name): only what was wrong,
and for invalid input the JSON pointer of each field at fault.
"""

from flask import Response, g, json
from werkzeug.exceptions import HTTPException

from casework.i18n import _l

PROBLEM_JSON = "application/problem+json"

#: status -> (title, detail). Every status the API can answer with is here, and in the OpenAPI document.
PROBLEMS = {
    400: (_l("Bad request"), _l("The request could not be read.")),
    401: (_l("Authentication required"), _l("Send a valid integration token: Authorization: Bearer <token>.")),
    404: (_l("Not found"), _l("There is nothing at this address, or this token may not use it.")),
    405: (_l("Method not allowed"), _l("This address does not take this method.")),
    413: (_l("Request too large"), _l("The request body is larger than this API accepts.")),
    415: (_l("Unsupported media type"), _l("Send the request body as application/json.")),
    422: (_l("Invalid request"), _l("Some fields are missing or not valid; see errors.")),
    429: (_l("Too many requests"), _l("This token sent too many requests; wait and try again.")),
    500: (_l("Server error"), _l("The request could not be completed and nothing was saved. Try again later.")),
}


def problem(status: int, errors: list[dict] | None = None, headers: dict | None = None) -> Response:
    status = status if status in PROBLEMS else 500
    title, detail = PROBLEMS[status]
    body = {"type": "about:blank", "title": str(title), "status": status, "detail": str(detail)}
    if errors is not None:
        body["errors"] = [{"pointer": error["pointer"], "detail": str(error["detail"])} for error in errors]
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)
    response.headers.update(headers or {})
    return response


def unauthorized() -> Response:
    return problem(401, headers={"WWW-Authenticate": 'Bearer realm="casework"'})


def from_http_exception(error: HTTPException) -> Response:
    """Werkzeug's error as a problem; its own text is English and generic, so only the status is kept
    (a `Retry-After` or `Allow` header it carries too)."""
    kept = {name: value for name, value in error.get_headers() if name in ("Allow", "Retry-After", "WWW-Authenticate")}
    if error.code == 401:
        return unauthorized()
    return problem(error.code or 500, headers=kept)


def failure() -> Response:
    """An unexpected failure, which may be the database's: the language is chosen without it."""
    g.request_failed = True
    return problem(500)
