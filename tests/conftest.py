"""Fixtures: an app on a fresh database (SQLite, or PostgreSQL when CASEWORK_TEST_DATABASE_URL is
set), clients, and people of each role who can sign in."""

import os

# Jobs queue in this process: a test runs what a request queued with `casework.jobs.run_queued()`.
os.environ["CASEWORK_JOB_STORE"] = "memory"
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from flask_security import hash_password
from sqlalchemy.engine import make_url

from casework import create_app
from casework.extensions import db, security
from casework.keyring import generate_keys, write_key_file
from casework.models import ROLE_NAMES, Role, User
from tests.databases import SharedPostgresDatabase, drop_postgres_database, fresh_postgres_database

pytest_plugins = ["tests.factories", "tests.api_fixtures"]

PASSWORD = "correct horse battery staple 42"
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture
def database_url(tmp_path):
    """An empty database: SQLite in a temporary folder, or a new PostgreSQL database per test. For the
    tests that build the schema themselves (migrations, start-up on an empty database)."""
    base = os.environ.get("CASEWORK_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'casework.sqlite'}"
        return
    url = fresh_postgres_database(base)
    yield url
    drop_postgres_database(base, url)


def _build_schema(url: str) -> None:
    app = create_app(test_settings(url))
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def built_database(tmp_path_factory):
    """The schema, built once per test process (tests/databases.py says why): a SQLite file to copy,
    or a PostgreSQL database to empty before each test."""
    base = os.environ.get("CASEWORK_TEST_DATABASE_URL")
    if not base:
        url = f"sqlite:///{tmp_path_factory.mktemp('schema') / 'schema.sqlite'}"
        _build_schema(url)
        yield url
        return
    shared = SharedPostgresDatabase(base, _build_schema, [table.name for table in db.metadata.sorted_tables])
    yield shared
    shared.drop()


@pytest.fixture
def schema_database_url(tmp_path, built_database):
    """A database with the schema in place and no rows, for this test alone."""
    if isinstance(built_database, SharedPostgresDatabase):
        return built_database.emptied()
    copy = tmp_path / "casework.sqlite"
    shutil.copyfile(make_url(built_database).database, copy)
    return f"sqlite:///{copy}"


_KEY_FOLDER = tempfile.TemporaryDirectory(prefix="casework-test-keys-")
TEST_KEY_FILE = Path(_KEY_FOLDER.name) / "keys.json"
write_key_file(TEST_KEY_FILE, generate_keys(), new=True)


def test_settings(database_url: str, key_file: Path = TEST_KEY_FILE) -> dict:
    """Settings for an app on `database_url`; the keys come from a throw-away key file."""
    return {
        "CASEWORK_KEY_FILE": str(key_file),
        "CASEWORK_KEYS": None,
        "CASEWORK_DOCUMENT_DIR": tempfile.mkdtemp(prefix="documents-", dir=_KEY_FOLDER.name),
        "CASEWORK_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "CASEWORK_REDIS_URL": None,
        "SESSION_TYPE": "sqlalchemy",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Still argon2id, with the cheapest parameters: the tests hash hundreds of passwords.
        "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS": {"argon2__type": "ID", "argon2__rounds": 1, "argon2__memory_cost": 1024},
    }


test_settings.__test__ = False  # a helper, not a test, despite its name


@pytest.fixture
def settings(schema_database_url):
    return test_settings(schema_database_url)


@pytest.fixture(autouse=True)
def empty_job_queue():
    """The in-process queue outlives an app: each test starts with nothing queued."""
    from casework import jobs

    jobs.queue.flush()


@pytest.fixture
def app(settings):
    app = create_app(settings)
    with app.app_context():
        db.session.add_all(Role(name=name) for name in ROLE_NAMES)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def own_keys_app(database_url, tmp_path):
    """An app with a key file of its own, so rotating it leaves other tests alone."""
    key_file = tmp_path / "keys.json"
    write_key_file(key_file, generate_keys(), new=True)
    app = create_app({**test_settings(database_url, key_file), "CASEWORK_DOCUMENT_DIR": str(tmp_path / "documents")})
    with app.app_context():
        db.create_all()
        db.session.add_all(Role(name=name) for name in ROLE_NAMES)
        db.session.commit()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create an account: `make_user("coordinator")`; enrolled in TOTP unless `enrolled=False`."""

    def make(role: str = "volunteer", *, email: str | None = None, enrolled: bool = True, active: bool = True) -> User:
        with app.app_context():
            user = User(
                email=email or f"{role}-{uuid.uuid4().hex[:8]}@casework.example.org",
                password=hash_password(PASSWORD),
                role=db.session.scalar(db.select(Role).where(Role.name == role)),
                fs_uniquifier=uuid.uuid4().hex,
                active=active,
            )
            if enrolled:
                user.tf_primary_method = "authenticator"
                user.tf_totp_secret = security.totp_factory.generate_totp_secret()
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


def totp_code(app, user: User, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now, or `steps_ahead` 30-second steps from now.

    Codes work once, so a test that signs in twice uses the next step's code the second time.
    """
    with app.app_context():
        secret = db.session.get(User, user.id).tf_totp_secret
        totp = security.totp_factory._totp.from_source(secret)  # noqa: SLF001  (test-only access)
        return totp.generate(time.time() + 30 * steps_ahead).token


CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


def csrf(client, path: str = "/login") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def submit_password(client, email: str, password: str = PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf(client), **extra})


def sign_in(client, app, user: User, steps_ahead: int = 0):
    """Password, then the TOTP code: the whole sign-in of an enrolled user. Returns the last response."""
    response = submit_password(client, user.email)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return client.post("/tf-validate", data={"code": totp_code(app, user, steps_ahead), "csrf_token": csrf_from(page)})


@pytest.fixture
def signed_in(app, make_user):
    """A test client signed in with a given role: `signed_in("admin")` returns (client, user)."""

    def sign(role: str):
        user = make_user(role)
        client = app.test_client()
        response = sign_in(client, app, user)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client, user

    return sign
