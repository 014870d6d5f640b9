"""The API's views: thin, as every view in Casework. The token and its scope were checked before
they run (casework.api.guard); the rules are in casework.api.operations."""

from flask import abort, current_app, jsonify, request

from casework.api import operations, releases
from casework.api.guard import ANY_SCOPE, needs_scope, token
from casework.api.intake_input import InvalidIntake, read_intake
from casework.api.openapi import build
from casework.api.problems import problem
from casework.models.api_token import INTAKE, STATISTICS
from casework.permissions import INTEGRATION_TOKEN, require


@require(INTEGRATION_TOKEN)
@needs_scope(INTAKE)
def intake():
    """201 and the case's reference whether or not the person is known already (S21)."""
    try:
        data, consent = read_intake(request.get_json())
    except InvalidIntake as invalid:
        return problem(422, errors=invalid.errors)
    case = operations.take_intake(data, consent["version"], consent["given_at"], token())
    return jsonify(reference=case.id), 201


@require(INTEGRATION_TOKEN)
@needs_scope(STATISTICS)
def release_list():
    return jsonify(releases=[releases.summary(release) for release in operations.published_releases()])


@require(INTEGRATION_TOKEN)
@needs_scope(STATISTICS)
def release(period: str):
    found = operations.published_release(period)
    if found is None:
        abort(404)
    return jsonify(releases.whole(found))


@require(INTEGRATION_TOKEN)
@needs_scope(ANY_SCOPE)
def openapi():
    """The document is the same for every token; built once per process."""
    if "casework_openapi" not in current_app.extensions:
        current_app.extensions["casework_openapi"] = build()
    return jsonify(current_app.extensions["casework_openapi"])
