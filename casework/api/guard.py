"""Before every API view: the token, its rate limit, its scope and the body's size.

`permissions.enforce` lets INTEGRATION_TOKEN views through for anyone; this is where they are
guarded. A missing, unknown, expired or revoked token is 401 with `WWW-Authenticate: Bearer`; a
token of another scope is 404, as every refusal in Casework is, so that a token learns nothing of
what it may not use. The rate limit counts per token, in Flask-Limiter's storage (memory, or Redis
in production, shared by every worker), before the scope is checked, so probing costs budget too.
"""

import math
import time
from collections.abc import Callable

from flask import Response, abort, current_app, g, request
from limits import parse

from casework.api import problems, tokens
from casework.extensions import limiter
from casework.models import ApiToken

#: A view any token may call, whatever its scope.
ANY_SCOPE = None


def needs_scope(scope: str | None) -> Callable:
    def mark(view: Callable) -> Callable:
        view.scope = scope
        return view

    return mark


def token() -> ApiToken:
    return g.api_token


def _bearer() -> str | None:
    kind, _space, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if kind.lower() == "bearer" else None


def _over_limit(found: ApiToken) -> Response | None:
    limit = parse(current_app.config["CASEWORK_API_RATE_LIMIT"])
    keys = ("api-token", str(found.id))
    if limiter.limiter.hit(limit, *keys):
        return None
    reset = limiter.limiter.get_window_stats(limit, *keys).reset_time
    return problems.problem(429, headers={"Retry-After": str(max(1, math.ceil(reset - time.time())))})


def guard() -> Response | None:
    found = tokens.authenticate(_bearer())
    if found is None:
        return problems.unauthorized()
    refused = _over_limit(found)
    if refused is not None:
        return refused
    scope = getattr(current_app.view_functions[request.endpoint], "scope", ANY_SCOPE)
    if scope is not ANY_SCOPE and found.scope != scope:
        abort(404)
    g.api_token = found
    request.max_content_length = current_app.config["CASEWORK_API_MAX_BYTES"]  # a body sent in chunks too
    if (request.content_length or 0) > request.max_content_length:
        return problems.problem(413)
    return None
