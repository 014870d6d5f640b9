"""What sets the API apart from the pages: no session and no cookie, no CSRF token and no sign-in
redirect, no CORS, a rate limit per token, a size limit, and every error as problem+json."""

import pytest
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import SessionRecord
from tests.api_fixtures import bearer, intake_body


@pytest.fixture
def settings(settings):
    return {**settings, "CASEWORK_API_RATE_LIMIT": "3 per minute"}


def _sessions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SessionRecord))


def test_no_session_row_and_no_cookie_even_with_a_sign_in_cookie(app, make_token, signed_in):
    client, _user = signed_in("coordinator")  # a browser with a live sign-in cookie
    _token_id, secret = make_token("intake")
    before = _sessions(app)
    for response in (
        client.post("/api/v1/intake", json=intake_body(), headers=bearer(secret)),
        client.get("/api/v1/releases", headers=bearer(secret)),
        client.get("/api/v1/nowhere"),
        client.get("/api/v1/releases"),
    ):
        assert "Set-Cookie" not in response.headers
    assert _sessions(app) == before
    anonymous = app.test_client()
    anonymous.post("/api/v1/intake", json=intake_body(), headers=bearer(secret))
    assert _sessions(app) == before
    assert anonymous.get_cookie("casework") is None


def test_the_sign_in_cookie_does_not_open_the_api(signed_in):
    client, _user = signed_in("admin")
    response = client.get("/api/v1/releases")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_no_redirect_to_the_sign_in_page_anywhere_under_the_api(client):
    for method, path in (
        ("GET", "/api/v1/nowhere"),
        ("POST", "/api/v1/releases"),
        ("GET", "/api/v1"),
        ("DELETE", "/api/v1/intake"),
    ):
        response = client.open(path, method=method)
        assert response.status_code in (401, 404, 405), (method, path, response.status_code)
        assert response.mimetype == "application/problem+json", (method, path)
        assert "Location" not in response.headers


def test_a_post_needs_no_csrf_token(client, make_token):
    _token_id, secret = make_token("intake")
    assert client.post("/api/v1/intake", json=intake_body(), headers=bearer(secret)).status_code == 201


def test_cors_is_off(client, make_token):
    _token_id, secret = make_token("statistics")
    origin = {"Origin": "https://evil.example"}
    answers = [
        client.get("/api/v1/releases", headers=bearer(secret, **origin)),
        client.options("/api/v1/releases", headers={**origin, "Access-Control-Request-Method": "GET"}),
        client.get("/api/v1/releases", headers=origin),
    ]
    for response in answers:
        assert not [name for name in response.headers.keys() if name.lower().startswith("access-control-")]


def test_the_rate_limit_is_per_token(client, make_token):
    _first, first = make_token("statistics")
    _second, second = make_token("statistics")
    for _ in range(3):
        assert client.get("/api/v1/releases", headers=bearer(first)).status_code == 200
    refused = client.get("/api/v1/releases", headers=bearer(first))
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert int(refused.headers["Retry-After"]) >= 1
    assert client.get("/api/v1/releases", headers=bearer(second)).status_code == 200


def test_a_body_over_the_limit_is_413(app, client, make_token):
    _token_id, secret = make_token("intake")
    body = intake_body()
    body["case"]["narrative"] = "x" * (app.config["CASEWORK_API_MAX_BYTES"] + 1)
    response = client.post("/api/v1/intake", json=body, headers=bearer(secret))
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


def test_a_server_error_is_a_problem_without_details(app, client, make_token, monkeypatch):
    from casework.api import operations

    def fail(*_args, **_kwargs):
        raise RuntimeError("Sokolov")

    monkeypatch.setattr(operations, "take_intake", fail)
    _token_id, secret = make_token("intake")
    response = client.post("/api/v1/intake", json=intake_body(), headers=bearer(secret))
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    assert "Sokolov" not in response.get_data(as_text=True)
