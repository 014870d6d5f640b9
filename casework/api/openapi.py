"""The OpenAPI 3.1 document of /api/v1, generated from the schemas in casework.api.schemas with
apispec's MarshmallowPlugin: what the code checks and answers is what the document says.

Every operation lists every status it can answer with; errors are `application/problem+json`.
Field descriptions are the intake form's labels, in English (the document is one for everyone).
"""

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask_babel import LazyString, force_locale

from casework.api import API_PREFIX, schemas
from casework.api.problems import PROBLEM_JSON, PROBLEMS

DESCRIPTION = (
    "Casework's API for the foundation's intake channels and for published statistics. Every request "
    "carries an integration token (`Authorization: Bearer cw_...`) whose scope, `intake` or `statistics`, "
    "decides what it may call. A token of the wrong scope gets 404, as every refusal in Casework does, so "
    "that an answer never tells what exists. Nothing in this API reads a person's data back."
)

#: status -> (description, extra headers) for the problems every operation may answer with.
ERRORS = {
    400: ("The request could not be read: a body that is not JSON, or a character no database keeps.", {}),
    401: ("Missing, unknown, expired or revoked token.", {"WWW-Authenticate": {"schema": {"type": "string"}}}),
    404: ("Nothing here, or not for this token's scope.", {}),
    405: ("The method is not allowed here.", {"Allow": {"schema": {"type": "string"}}}),
    413: ("The request body is too large.", {}),
    429: ("This token's rate limit is reached.", {"Retry-After": {"schema": {"type": "string"}}}),
    500: ("Unexpected failure; nothing was saved.", {}),
}
BODY_ERRORS = {
    415: ("The body is not sent as application/json.", {}),
    422: ("Invalid fields; `errors` points at each.", {}),
}


def _problem(description: str, headers: dict) -> dict:
    response = {"description": description, "content": {PROBLEM_JSON: {"schema": "Problem"}}}
    if headers:
        response["headers"] = headers
    return response


def _operation(summary: str, tag: str, ok: tuple[int, str, object], errors: dict, **more) -> dict:
    status, description, schema = ok
    responses = {str(status): {"description": description, "content": {"application/json": {"schema": schema}}}}
    responses |= {str(code): _problem(*details) for code, details in sorted(errors.items())}
    return {"summary": summary, "tags": [tag], "security": [{"bearer": []}], "responses": responses, **more}


def _plain(value):
    """The spec as plain JSON: lazy labels rendered (in English, see `build`)."""
    if isinstance(value, LazyString):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def build() -> dict:
    assert set(ERRORS) | set(BODY_ERRORS) <= set(PROBLEMS)
    spec = APISpec(
        title="Casework API",
        version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": DESCRIPTION},
        servers=[{"url": API_PREFIX}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "description": "An integration token."})
    for name in ("Problem", "Intake", "IntakeCreated", "ReleaseList", "Release"):
        spec.components.schema(name, schema=getattr(schemas, f"{name}Schema"))
    period = {"name": "period", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9]{4}Q[1-4]$"}}
    spec.path(
        path="/intake",
        operations={
            "post": _operation(
                "Submit a request for help (scope intake)",
                "intake",
                (201, "The case was created; its reference is all that is answered.", "IntakeCreated"),
                ERRORS | BODY_ERRORS,
                requestBody={"required": True, "content": {"application/json": {"schema": "Intake"}}},
            )
        },
    )
    spec.path(
        path="/releases",
        operations={
            "get": _operation(
                "Published statistics releases (scope statistics)", "statistics", (200, "Newest first.", "ReleaseList"), ERRORS
            )
        },
    )
    spec.path(
        path="/releases/{period}",
        operations={
            "get": _operation(
                "One published release with its tables (scope statistics)",
                "statistics",
                (200, "The release's frozen, noisy figures.", "Release"),
                ERRORS,
                parameters=[period],
            )
        },
    )
    spec.path(
        path="/openapi.json",
        operations={"get": _operation("This document (any scope)", "meta", (200, "OpenAPI 3.1.", {"type": "object"}), ERRORS)},
    )
    with force_locale("en"):
        return _plain(spec.to_dict())
