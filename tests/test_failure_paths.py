"""When the database goes away in the middle of a request (S19): the visitor gets the generic error
page, translated, with status 500 and a body, and the log says what failed and where in the code,
without SQL text or values."""

import logging
import re
import uuid

import pytest
from flask_login import current_user
from flask_security import hash_password
from sqlalchemy import event, select, text

from casework import create_app, logs
from casework.extensions import db, security
from casework.models import ROLE_NAMES, Person, Role, User
from casework.permissions import SIGNED_IN, require
from tests.conftest import PASSWORD, sign_in

#: A value the failing statement carries; it must reach neither the page nor the log.
MARKER = "Marker-Value-3141"


class DatabaseGone(Exception):
    """Stands in for the driver's error when the server cannot be reached at all."""


def _refuse_connections(engine) -> None:
    """From now on every new connection fails, as if the server had stopped."""

    @event.listens_for(engine, "do_connect")
    def refuse(*_args, **_kwargs):
        dbapi = engine.dialect.dbapi
        raise dbapi.OperationalError("connection refused: the server is not running")


def _cut(connection) -> None:
    """Close the request's own connection under its feet: PostgreSQL ends the backend, as a
    restarted or failed-over server would; SQLite's file handle is closed."""
    if connection.dialect.name == "postgresql":
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    else:
        connection.connection.dbapi_connection.close()


@pytest.fixture
def severing_app(settings):
    """An app with one extra page that reads, loses its database, then reads again."""
    app = create_app(settings)
    # As in production: a failure outside a view (opening the session, say) gets the error page too,
    # where a testing app would hand the exception to the test client.
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/sever")
    @require(SIGNED_IN)
    def sever():
        assert current_user.email  # the signed-in user is loaded before the database goes
        connection = db.session.connection()
        _cut(connection)
        _refuse_connections(db.engine)
        db.session.execute(select(Person).where(Person.id == MARKER)).first()
        return "unreachable"

    with app.app_context():
        db.create_all()
        db.session.add_all(Role(name=name) for name in ROLE_NAMES)
        db.session.commit()
    return app


@pytest.fixture
def signed_in_client(severing_app, make_user_in_app):
    return make_user_in_app(severing_app)


@pytest.fixture
def make_user_in_app():
    def make(app):
        with app.app_context():
            user = User(
                email=f"volunteer-{uuid.uuid4().hex[:8]}@casework.example.org",
                password=hash_password(PASSWORD),
                role=db.session.scalar(select(Role).where(Role.name == "volunteer")),
                fs_uniquifier=uuid.uuid4().hex,
                tf_primary_method="authenticator",
                tf_totp_secret=security.totp_factory.generate_totp_secret(),
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        client = app.test_client()
        assert sign_in(client, app, user).status_code == 302
        client.get("/")
        return client

    return make


def _logged(caplog) -> str:
    """The log as Casework's handlers would write it."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


@pytest.fixture
def caplog(caplog):
    """pytest's log capture, with the filter that every one of Casework's log handlers carries."""
    caplog.handler.addFilter(logs.WITHHOLD_DETAILS)
    yield caplog
    caplog.handler.removeFilter(logs.WITHHOLD_DETAILS)


@pytest.mark.parametrize(("language", "title"), [("en", "Something went wrong"), ("nl", "Er ging iets mis")])
def test_the_error_page_renders_without_the_database(severing_app, signed_in_client, caplog, language, title):
    with caplog.at_level(logging.DEBUG):
        response = signed_in_client.get("/sever", headers={"Accept-Language": language})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert f'lang="{language}"' in body and title in body
    assert MARKER not in body and "SELECT" not in body and "Traceback" not in body


def test_the_error_page_renders_when_the_database_is_down_from_the_start(severing_app, signed_in_client, caplog):
    """The session cannot even be read: no account, no session, the language from the browser."""
    with severing_app.app_context():
        _refuse_connections(db.engine)
        db.engine.dispose()
    with caplog.at_level(logging.DEBUG):
        response = signed_in_client.get("/", headers={"Accept-Language": "uk"})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert 'lang="uk"' in body and "<h1>" in body and "Something went wrong" not in body
    logged = _logged(caplog)
    assert "OperationalError" in logged and "refused" not in logged and "SELECT" not in logged


def test_the_log_names_the_failure_and_its_place_but_no_sql_or_values(severing_app, signed_in_client, caplog):
    with caplog.at_level(logging.DEBUG):
        signed_in_client.get("/sever")
    logged = _logged(caplog)
    assert re.search(r"Unhandled (Operational|Programming)Error on GET sever", logged), logged
    assert re.search(r"test_failure_paths\.py:\d+", logged), "the log locates the failure in the code"
    for secret in (MARKER, "SELECT", "FROM", "persons", "Traceback", "[SQL"):
        assert secret not in logged, f"{secret!r} is in the log:\n{logged}"


def test_records_from_libraries_lose_their_sql_and_tracebacks(caplog):
    """SQLAlchemy's pool and Flask-Session log exceptions, and their messages quote SQL."""
    try:
        raise RuntimeError(f"value {MARKER} refused\n[SQL: SELECT * FROM persons WHERE id = %(id)s]")
    except RuntimeError as error:
        logging.getLogger("sqlalchemy.pool.impl.QueuePool").exception("Exception during reset or similar")
        # Flask-Session's retry logs the exception's text inside its message, on the app's logger.
        logging.getLogger("casework").exception(f"Exception when querying database ({error}).Retrying (1/3) in 0.30s.")
    logging.getLogger("sqlalchemy.engine.Engine").warning("SELECT persons.id FROM persons WHERE id = %s", MARKER)
    logged = _logged(caplog)
    assert "RuntimeError" in logged and "test_failure_paths.py:" in logged
    for secret in (MARKER, "SELECT", "Traceback"):
        assert secret not in logged, f"{secret!r} is in the log:\n{logged}"


def test_the_app_logs_at_the_level_from_the_environment(settings, monkeypatch):
    monkeypatch.setenv("CASEWORK_LOG_LEVEL", "WARNING")
    app = create_app(settings)
    assert app.logger.getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("sqlalchemy.engine").getEffectiveLevel() >= logging.WARNING
    monkeypatch.setenv("CASEWORK_LOG_LEVEL", "INFO")
    app = create_app(settings)
    assert app.logger.isEnabledFor(logging.INFO)
    ours = [handler for handler in logging.getLogger().handlers if getattr(handler, "casework", False)]
    assert len(ours) == 1, "building a second app replaces the handler rather than adding one"
    assert logs.WITHHOLD_DETAILS in ours[0].filters
