"""`/healthz` for the service manager and the proxy: the database answers or it does not, and
asking costs no session, no audit row and no sign-in."""

from sqlalchemy import event, func, select

from casework.extensions import db
from casework.models import AuditEvent, SessionRecord
from tests.statements import statements_during


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_healthy_is_204_without_session_or_audit(app, client):
    response = client.get("/healthz")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert "Set-Cookie" not in response.headers
    assert _count(app, SessionRecord) == 0
    assert _count(app, AuditEvent) == 0


def test_a_signed_in_cookie_does_not_open_the_session_or_load_the_account(app, signed_in):
    """A health check sent with a staff member's cookie (a monitoring tab in a signed-in browser)
    is still one statement: the session is not read, the account not loaded, nothing set or saved."""
    client, _user = signed_in("coordinator")
    sessions_before = _count(app, SessionRecord)
    response = None

    def send():
        nonlocal response
        response = client.get("/healthz")

    statements = statements_during(app, send)
    assert response.status_code == 204
    assert "Set-Cookie" not in response.headers
    assert [statement.strip() for statement in statements] == ["SELECT 1"]
    assert _count(app, SessionRecord) == sessions_before
    assert client.get("/cases/").status_code == 200  # the session itself is untouched


def test_unreachable_database_is_503(app, client):
    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "do_connect")
        def refuse(*_args, **_kwargs):
            raise engine.dialect.dbapi.OperationalError("connection refused")

        engine.dispose()
    response = client.get("/healthz")
    assert response.status_code == 503
    event.remove(engine, "do_connect", refuse)
