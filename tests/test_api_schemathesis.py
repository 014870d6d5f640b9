"""Property-based tests of the JSON API, generated from its own OpenAPI document by Schemathesis.

Every operation is called with examples drawn from the document (valid and, in the coverage phase,
edge values), with a token of the operation's scope, against the app in this process (WSGI) on the
test database. Each answer must be no server error, and must match the document: a status it
lists, its content type and its schema. A published release exists, so the statistics operations
answer with figures, and the budget is raised so that the rate limit does not cut the run short.
"""

import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from casework.extensions import db
from tests.api_fixtures import bearer, intake_body

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 100


@pytest.fixture
def settings(settings):
    """The conftest's settings, with a budget no run reaches."""
    return {**settings, "CASEWORK_API_RATE_LIMIT": "100000 per minute"}


@pytest.fixture
def api_schema(app, make_user, create_case):
    from casework.api import tokens
    from casework.stats import operations as stats

    create_case(by=make_user("coordinator"))
    with app.app_context():
        stats.publish(stats.request_release(stats.closed_periods()[0], None), None)
        _intake, intake_secret = tokens.create("fuzzed intake channel", "intake", None)
        _statistics, statistics_secret = tokens.create("fuzzed statistics channel", "statistics", None)
        db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=bearer(statistics_secret))
    schema.secrets = {"intake": intake_secret, "statistics": statistics_secret, "meta": statistics_secret}
    return schema


def _run(operation, mode, secret, **fixed) -> list[int]:
    """Up to EXAMPLES cases of one operation in one generation mode; the statuses answered."""
    ran = []

    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def call(case):
        response = case.call_and_validate(headers=bearer(secret), checks=CHECKS)
        ran.append(response.status_code)

    call()
    return ran


@pytest.mark.parametrize("mode", list(GenerationMode))
def test_every_answer_matches_the_document(api_schema, mode):
    """Valid input (positive) and input the document forbids (negative), on every operation."""
    started, statuses, operations = time.monotonic(), Counter(), []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        secret = api_schema.secrets[operation.definition.raw["tags"][0]]
        statuses.update(_run(operation, mode, secret))
        if operation.label == "POST /intake" and mode is GenerationMode.POSITIVE:
            # Drawn at random, a person almost never passes the form's cross-checks: one that does,
            # so that the 201 answer is checked against the document too.
            statuses.update(_run(operation, mode, secret, body=intake_body()))
        operations.append(operation.label)
    # Schemathesis leaves out the document's own address, /openapi.json.
    assert operations == ["POST /intake", "GET /releases", "GET /releases/{period}"]
    seconds = time.monotonic() - started
    examples = sum(statuses.values())
    print(
        f"\nSchemathesis, {mode.value}: {examples} examples over {len(operations)} operations in {seconds:.1f} s: {dict(statuses)}"
    )
