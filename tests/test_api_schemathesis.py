"""Property-based tests of the JSON API, generated from its own OpenAPI document by Schemathesis.

Every operation is called with examples drawn from the document, valid ones (positive) and ones
the document forbids (negative), with a token of the operation's scope, on the test database: once
through WSGI in this process, and once over HTTP against a live server the test starts. Each answer
must be no server error, and must match the document: a status it lists, its content type and its
schema. A published release exists, so the statistics operations answer with figures, and the
budget is raised so that the rate limit does not cut the run short.
"""

import threading
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
from werkzeug.serving import make_server

from casework.extensions import db
from tests.api_fixtures import bearer, intake_body

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: Per operation and generation mode; the run takes well under a minute on two cores.
EXAMPLES = 60


@pytest.fixture
def settings(settings):
    """The conftest's settings, with a budget no run reaches."""
    return {**settings, "CASEWORK_API_RATE_LIMIT": "100000 per minute"}


@pytest.fixture
def secrets(app, make_user, create_case) -> dict[str, str]:
    """A token per scope (by the document's tags), beside a case and a published release."""
    from casework.api import tokens
    from casework.stats import operations as stats

    create_case(by=make_user("coordinator"))
    with app.app_context():
        stats.publish(stats.request_release(stats.closed_periods()[0], None), None)
        _intake, intake_secret = tokens.create("fuzzed intake channel", "intake", None)
        _statistics, statistics_secret = tokens.create("fuzzed statistics channel", "statistics", None)
        db.session.commit()
    return {"intake": intake_secret, "statistics": statistics_secret, "meta": statistics_secret}


@pytest.fixture
def live_url(app):
    """The app served over HTTP on a free local port, for the length of the test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def _run(operation, mode, secret, examples=EXAMPLES, base_url=None, **fixed) -> list[int]:
    """Up to `examples` cases of one operation in one generation mode; the statuses answered."""
    ran = []

    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    @hypothesis_settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def call(case):
        response = case.call_and_validate(base_url=base_url, headers=bearer(secret), checks=CHECKS)
        ran.append(response.status_code)

    call()
    return ran


@pytest.mark.parametrize("transport", ["wsgi", "live"])
@pytest.mark.parametrize("mode", list(GenerationMode))
def test_every_answer_matches_the_document(request, app, secrets, mode, transport):
    started, statuses, operations = time.monotonic(), Counter(), []
    if transport == "wsgi":
        schema, base_url = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=bearer(secrets["meta"])), None
    else:
        live = request.getfixturevalue("live_url")
        schema = schemathesis.openapi.from_url(f"{live}/api/v1/openapi.json", headers=bearer(secrets["meta"]))
        base_url = f"{live}/api/v1"
    for result in schema.get_all_operations():
        operation = result.ok()
        secret = secrets[operation.definition.raw["tags"][0]]
        statuses.update(_run(operation, mode, secret, base_url=base_url))
        if operation.label == "POST /intake" and mode is GenerationMode.POSITIVE:
            # Drawn at random, a person almost never passes the form's cross-checks: one that does,
            # so that the 201 answer is checked against the document too.
            statuses.update(_run(operation, mode, secret, examples=5, base_url=base_url, body=intake_body()))
        operations.append(operation.label)
    # Schemathesis leaves out the document's own address, /openapi.json.
    assert operations == ["POST /intake", "GET /releases", "GET /releases/{period}"]
    seconds = time.monotonic() - started
    print(
        f"\nSchemathesis, {transport}, {mode.value}: {sum(statuses.values())} examples over {len(operations)} operations"
        f" in {seconds:.1f} s: {dict(sorted(statuses.items()))}"
    )
