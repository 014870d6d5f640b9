"""PostgreSQL gets timeouts and a bounded pool, set from the environment; SQLite is left alone."""

import pytest
from sqlalchemy import text

from casework import create_app
from casework.config import load_config
from casework.extensions import db


def test_postgresql_timeouts_and_pool_come_from_the_environment(settings, monkeypatch):
    monkeypatch.setenv("CASEWORK_DB_STATEMENT_TIMEOUT_MS", "4500")
    monkeypatch.setenv("CASEWORK_DB_CONNECT_TIMEOUT", "3")
    monkeypatch.setenv("CASEWORK_DB_POOL_SIZE", "7")
    overrides = {key: value for key, value in load_config().items() if key.startswith("CASEWORK_DB_")}
    url = "postgresql+psycopg://casework@db.invalid/casework"
    app = create_app({**settings, **overrides, "SQLALCHEMY_DATABASE_URI": url})
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"]["connect_timeout"] == 3
    assert "-c statement_timeout=4500" in options["connect_args"]["options"]
    assert "-c idle_in_transaction_session_timeout=" in options["connect_args"]["options"]
    assert options["pool_size"] == 7 and options["max_overflow"] >= 0 and options["pool_timeout"] > 0
    assert options["pool_recycle"] > 0 and options["hide_parameters"] and options["pool_pre_ping"]


def test_sqlite_gets_no_pool_or_postgresql_settings(settings):
    app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": "sqlite:///:memory:"})
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert "connect_args" not in options and "pool_size" not in options
    assert options["hide_parameters"]


def test_a_live_postgresql_session_carries_the_statement_timeout(settings):
    if not settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only (set CASEWORK_TEST_DATABASE_URL)")
    app = create_app({**settings, "CASEWORK_DB_STATEMENT_TIMEOUT_MS": 1234})
    with app.app_context():
        assert db.session.scalar(text("SHOW statement_timeout")) == "1234ms"
        db.engine.dispose()
