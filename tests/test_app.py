"""The application as a whole: refusing unsafe settings (S19), one commit per request, generic errors."""

import logging

import pytest

from casework import create_app
from casework.config import DEVELOPMENT_SECRET_KEY, ConfigError
from casework.extensions import db
from casework.keyring import generate_keys, write_key_file
from casework.models import Partner
from casework.permissions import SIGNED_IN, require
from tests.conftest import csrf_from
from tests.test_production_config import production_settings

MARKER = "Marker-Иванов-7731"


@pytest.mark.parametrize(
    "secret",
    [None, "", DEVELOPMENT_SECRET_KEY, "too-short-secret"],
    ids=["missing", "empty", "development-default", "short"],
)
def test_production_refuses_a_weak_secret_key(settings, secret):
    with pytest.raises(ConfigError, match="CASEWORK_SECRET_KEY"):
        create_app(production_settings(settings, SECRET_KEY=secret))


def test_production_starts_with_a_strong_secret_key(settings):
    app = create_app(production_settings(settings, SECRET_KEY="x" * 48))
    assert app.config["SESSION_COOKIE_SECURE"]


def test_unknown_environment_is_refused(settings):
    with pytest.raises(ConfigError):
        create_app({**settings, "CASEWORK_ENV": "staging"})


def test_environment_variables_configure_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEWORK_DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.sqlite'}")
    monkeypatch.setenv("CASEWORK_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("CASEWORK_KEY_FILE", str(tmp_path / "keys.json"))
    write_key_file(tmp_path / "keys.json", generate_keys(), new=True)
    monkeypatch.setenv("CASEWORK_SESSION_IDLE_MINUTES", "5")
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("from-env.sqlite")
    assert app.config["SECRET_KEY"] == "s" * 40
    assert app.config["CASEWORK_KEY_FILE"].endswith("keys.json")
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 300
    assert app.config["SESSION_TYPE"] == "sqlalchemy"


def test_redis_url_moves_sessions_and_limits_to_redis(monkeypatch):
    monkeypatch.setenv("CASEWORK_REDIS_URL", "redis://127.0.0.1:6379/15")
    from casework.config import load_config

    config = load_config()
    assert config["SESSION_TYPE"] == "redis"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/15"


def test_bad_number_in_environment_names_the_variable(monkeypatch):
    from casework.config import load_config

    monkeypatch.setenv("CASEWORK_SESSION_IDLE_MINUTES", "thirty")
    with pytest.raises(ConfigError, match="CASEWORK_SESSION_IDLE_MINUTES"):
        load_config()


@pytest.fixture
def failing_app(settings):
    """An app with one extra route that writes to the database and then fails."""
    app = create_app(settings)

    @app.get("/explode")
    @require(SIGNED_IN)
    def explode():
        db.session.add(Partner(name="half written"))
        db.session.flush()
        raise RuntimeError(f"failure mentioning {MARKER}")

    with app.app_context():
        db.create_all()
    return app


def test_an_error_rolls_back_everything_the_request_wrote(failing_app, make_user_in):
    client = make_user_in(failing_app)
    response = client.get("/explode")
    assert response.status_code == 500
    with failing_app.app_context():
        assert db.session.scalar(db.select(Partner).where(Partner.name == "half written")) is None


def test_error_page_and_log_are_generic(failing_app, make_user_in, caplog):
    client = make_user_in(failing_app)
    with caplog.at_level(logging.DEBUG):
        response = client.get("/explode")
    body = response.get_data(as_text=True)
    assert MARKER not in body and "Traceback" not in body and "RuntimeError" not in body
    assert "Something went wrong" in body
    logged = "\n".join(record.getMessage() + str(record.exc_info or "") for record in caplog.records)
    assert MARKER not in logged and "Traceback" not in logged
    assert "RuntimeError" in logged, "the log still says what kind of failure happened"


@pytest.fixture
def make_user_in():
    """Sign an admin into a given app (for apps built by a test rather than the `app` fixture)."""
    from flask_security import hash_password

    from casework.extensions import security
    from casework.models import ROLE_NAMES, Role, User
    from tests.conftest import sign_in

    def make(app):
        with app.app_context():
            db.session.add_all(Role(name=name) for name in ROLE_NAMES)
            user = User(
                email="admin@casework.example.org",
                password=hash_password("correct horse battery staple 42"),
                role=db.session.scalar(db.select(Role).where(Role.name == "admin")),
                fs_uniquifier="u1",
                tf_primary_method="authenticator",
                tf_totp_secret=security.totp_factory.generate_totp_secret(),
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        client = app.test_client()
        sign_in(client, app, user)
        return client

    return make


@pytest.mark.parametrize("language", ["en", "nl", "ru", "uk"])
def test_error_pages_are_translated(app, signed_in, language):
    client, _ = signed_in("volunteer")
    english = client.get("/no/such/page", headers={"Accept-Language": "en"})
    page = client.get("/no/such/page", headers={"Accept-Language": language})
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert f'lang="{language}"' in html
    if language != "en":
        assert "Page not found" not in html
        assert html != english.get_data(as_text=True)


def test_generic_error_pages_for_each_status(app, signed_in):
    client, _ = signed_in("volunteer")
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/admin/users").status_code == 404
    assert client.get("/logout").status_code == 405
    assert client.post("/language", data={"locale": "nl"}).status_code == 400
    for response in (client.get("/no/such/page"), client.get("/admin/users"), client.get("/logout")):
        html = response.get_data(as_text=True)
        assert "Traceback" not in html and "werkzeug" not in html.lower()


def test_throttled_page_is_generic(app, client, make_user):
    from tests.conftest import submit_password

    user = make_user("volunteer")
    for _ in range(5):
        submit_password(client, user.email, "wrong password, attempt n")
    response = submit_password(client, user.email, "wrong password, attempt n")
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert user.email not in response.get_data(as_text=True)


def test_request_log_omits_query_strings(app, client, caplog):
    from casework import _drop_query_strings

    line = f"GET /search?q={MARKER} HTTP/1.1"
    record = logging.LogRecord("werkzeug", logging.INFO, "", 0, '127.0.0.1 - - [date] "%s" %s %s', (line, "200", "-"), None)
    _drop_query_strings.filter(record)
    assert MARKER not in record.getMessage()
    assert '"GET /search HTTP/1.1" 200' in record.getMessage()


def test_language_choice_of_a_signed_in_user_is_saved(app, signed_in):
    client, user = signed_in("volunteer")
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/language", data={"locale": "uk", "next": "/", "csrf_token": token})
    from casework.models import User

    with app.app_context():
        assert db.session.get(User, user.id).locale == "uk"
    assert 'lang="uk"' in client.get("/", headers={"Accept-Language": "nl"}).get_data(as_text=True)
