"""Integration tokens: stored hashed, made and revoked by admins (web and command line, audited),
refused when missing, unknown, expired or revoked (401), and 404 for a scope they do not hold."""

import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from casework import clock
from casework.api.tokens import digest
from casework.extensions import db
from casework.models import ApiToken, AuditEvent
from tests.api_fixtures import bearer, intake_body
from tests.conftest import csrf_from
from tests.test_encryption import _raw_database_bytes
from tests.test_markup import _checker

RELEASES = "/api/v1/releases"


def test_only_the_digest_of_the_secret_is_stored(app, make_token):
    token_id, secret = make_token("statistics")
    assert secret.startswith("cw_") and len(secret) > 40
    with app.app_context():
        token = db.session.get(ApiToken, token_id)
        assert token.digest == digest(secret) and len(token.digest) == 32
        assert secret.encode() not in _raw_database_bytes(app)


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer cw_unknown", "Basic dXNlcjpwYXNz", "Token cw_x"],
)
def test_a_missing_or_unknown_token_is_401_with_a_bearer_challenge(client, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = client.get(RELEASES, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.mimetype == "application/problem+json" and response.json["status"] == 401


def test_an_expired_token_is_refused(client, make_token):
    _token_id, secret = make_token("statistics", expires_on=clock.today() - timedelta(days=1))
    assert client.get(RELEASES, headers=bearer(secret)).status_code == 401
    _token_id, secret = make_token("statistics", expires_on=clock.today())
    assert client.get(RELEASES, headers=bearer(secret)).status_code == 200


def test_a_token_of_another_scope_gets_404(client, make_token):
    _intake, intake_secret = make_token("intake")
    _statistics, statistics_secret = make_token("statistics")
    assert client.get(RELEASES, headers=bearer(intake_secret)).status_code == 404
    response = client.post("/api/v1/intake", json=intake_body(), headers=bearer(statistics_secret))
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    for secret in (intake_secret, statistics_secret):
        assert client.get("/api/v1/openapi.json", headers=bearer(secret)).status_code == 200


def test_a_token_revoked_mid_run_stops_at_its_next_request(app, client, make_token, runner):
    token_id, secret = make_token("intake")
    assert client.post("/api/v1/intake", json=intake_body(), headers=bearer(secret)).status_code == 201
    result = runner.invoke(args=["tokens", "revoke", str(token_id)])
    assert result.exit_code == 0, result.output
    response = client.post("/api/v1/intake", json=intake_body(), headers=bearer(secret))
    assert response.status_code == 401


def test_the_command_line_creates_lists_and_revokes(app, runner, client):
    created = runner.invoke(args=["tokens", "create", "Web form", "--scope", "intake"])
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("cw_")
    assert runner.invoke(args=["tokens", "create", "Web form", "--scope", "intake"]).exit_code != 0
    assert runner.invoke(args=["tokens", "create", "Other", "--scope", "everything"]).exit_code != 0
    client.post("/api/v1/intake", json=intake_body(), headers=bearer(secret))
    listed = runner.invoke(args=["tokens", "list"]).output
    assert "Web form\tintake" in listed and f"last used {clock.today()}" in listed and secret not in listed
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "Web form"))
    assert runner.invoke(args=["tokens", "revoke", str(token_id)]).exit_code == 0
    assert "revoked" in runner.invoke(args=["tokens", "list"]).output
    assert runner.invoke(args=["tokens", "revoke", str(token_id)]).exit_code != 0
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.detail == f"token:{token_id}")).all()
    assert actions.count("api_token_created") == 1 and actions.count("api_token_revoked") == 1


def test_an_admin_creates_and_revokes_a_token_on_the_web(app, signed_in):
    client, admin = signed_in("admin")
    page = client.get("/admin/tokens")
    assert page.status_code == 200 and "/admin/tokens" in client.get("/").get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    answer = client.post("/admin/tokens", data={"name": "Telegram bot", "scope": "intake", "csrf_token": token})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalar(select(ApiToken).where(ApiToken.name == "Telegram bot"))
        assert stored.created_by_id == admin.id
        secret = next(word for word in html.replace('"', " ").split() if word.startswith("cw_"))
        assert stored.digest == digest(secret)
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert "Telegram bot" in listing and admin.email in listing and secret not in listing
    client.post(f"/admin/tokens/{stored.id}/revoke", data={"csrf_token": token})
    assert app.test_client().get(RELEASES, headers=bearer(secret)).status_code == 401
    with app.app_context():
        assert db.session.get(ApiToken, stored.id).revoked_by_id == admin.id
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.detail == f"token:{stored.id}")).all()
        assert [(event.action, event.actor_id) for event in events] == [
            ("api_token_created", admin.id),
            ("api_token_revoked", admin.id),
        ]


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "advocate"])
def test_only_admins_reach_the_token_pages(signed_in, role):
    client, _user = signed_in(role)
    assert client.get("/admin/tokens").status_code == 404


def test_the_page_with_the_new_secret_is_valid_html(signed_in, tmp_path):
    """The one page tests.routes.pages cannot list: it answers a POST."""
    checker = _checker()
    client, _admin = signed_in("admin")
    token = csrf_from(client.get("/admin/tokens").get_data(as_text=True))
    page = client.post("/admin/tokens", data={"name": "Web form", "scope": "statistics", "csrf_token": token})
    (tmp_path / "created.html").write_bytes(page.data)
    result = subprocess.run(
        [*checker, "--errors-only", str(tmp_path / "created.html")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
