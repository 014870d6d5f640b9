"""Production refuses settings that would void the sign-in limits and the storage promises (S23)."""

import pytest

from casework import create_app
from casework.config import ConfigError, check_config, load_config

SAFE = {
    "CASEWORK_ENV": "production",
    "SECRET_KEY": "p" * 48,
    "CASEWORK_TRUSTED_PROXIES": 1,
    "CASEWORK_BASE_URL": "https://casework.example.org",
    "CASEWORK_WORKERS": 1,
    "CASEWORK_REDIS_URL": None,
    "CASEWORK_ALLOW_SQLITE": False,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://casework@127.0.0.1/casework",
}


def production_settings(settings: dict, **changes) -> dict:
    """Test settings turned into a production configuration that passes every check."""
    safe = {**SAFE, "SQLALCHEMY_DATABASE_URI": settings["SQLALCHEMY_DATABASE_URI"]}
    if safe["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        safe["CASEWORK_ALLOW_SQLITE"] = True
    return {**settings, **safe, **changes}


def test_safe_production_settings_pass():
    check_config(dict(SAFE))


def test_production_app_starts_with_safe_settings(settings):
    app = create_app(production_settings(settings))
    assert app.config["SESSION_COOKIE_SECURE"]


@pytest.mark.parametrize("workers", [2, 3, 8])
def test_several_workers_without_redis_are_refused(workers):
    with pytest.raises(ConfigError, match="CASEWORK_REDIS_URL"):
        check_config({**SAFE, "CASEWORK_WORKERS": workers})


def test_several_workers_with_redis_pass():
    check_config({**SAFE, "CASEWORK_WORKERS": 3, "CASEWORK_REDIS_URL": "redis://127.0.0.1:6379/0"})


def test_create_app_refuses_several_workers_without_redis(settings):
    with pytest.raises(ConfigError, match="CASEWORK_REDIS_URL"):
        create_app(production_settings(settings, CASEWORK_WORKERS=3))


@pytest.mark.parametrize("variable", ["CASEWORK_WORKERS", "WEB_CONCURRENCY"])
def test_worker_count_is_read_from_the_environment(monkeypatch, variable):
    monkeypatch.setenv(variable, "4")
    assert load_config()["CASEWORK_WORKERS"] == 4


def test_gunicorn_reads_the_same_worker_count(monkeypatch):
    import runpy

    from casework.config import PROJECT_ROOT

    monkeypatch.setenv("CASEWORK_WORKERS", "5")
    settings = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    assert settings["workers"] == 5 == load_config()["CASEWORK_WORKERS"]


def test_unset_proxy_count_is_refused():
    with pytest.raises(ConfigError, match="CASEWORK_TRUSTED_PROXIES"):
        check_config({**SAFE, "CASEWORK_TRUSTED_PROXIES": None})


def test_zero_proxies_set_explicitly_passes(monkeypatch):
    monkeypatch.setenv("CASEWORK_TRUSTED_PROXIES", "0")
    assert load_config()["CASEWORK_TRUSTED_PROXIES"] == 0
    check_config({**SAFE, "CASEWORK_TRUSTED_PROXIES": 0})


def test_proxy_count_left_out_of_the_environment_is_unset(monkeypatch):
    monkeypatch.delenv("CASEWORK_TRUSTED_PROXIES", raising=False)
    assert load_config()["CASEWORK_TRUSTED_PROXIES"] is None


@pytest.mark.parametrize("base_url", [None, "", "http://127.0.0.1:5000", "http://casework.example.org"])
def test_default_or_plain_http_base_url_is_refused(monkeypatch, base_url):
    monkeypatch.delenv("CASEWORK_BASE_URL", raising=False)
    if base_url is None:
        base_url = load_config()["CASEWORK_BASE_URL"]
    with pytest.raises(ConfigError, match="CASEWORK_BASE_URL"):
        check_config({**SAFE, "CASEWORK_BASE_URL": base_url})


def test_sqlite_is_refused_unless_allowed(tmp_path):
    sqlite = {**SAFE, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'casework.sqlite'}"}
    with pytest.raises(ConfigError, match="CASEWORK_ALLOW_SQLITE"):
        check_config(sqlite)
    check_config({**sqlite, "CASEWORK_ALLOW_SQLITE": True})


def test_allow_sqlite_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("CASEWORK_ALLOW_SQLITE", "1")
    assert load_config()["CASEWORK_ALLOW_SQLITE"] is True
    monkeypatch.setenv("CASEWORK_ALLOW_SQLITE", "0")
    assert load_config()["CASEWORK_ALLOW_SQLITE"] is False


def test_development_ignores_the_production_checks():
    check_config({"CASEWORK_ENV": "development", "CASEWORK_WORKERS": 4, "CASEWORK_TRUSTED_PROXIES": None})


@pytest.mark.parametrize("production", [False, True], ids=["testing", "production"])
def test_a_deadline_horizon_for_an_unknown_kind_stops_the_app(settings, production):
    """A misspelt kind ("permit_expiri=60") would be ignored without a word, and the permit would keep
    its default horizon: the app does not start, and says which kinds exist."""
    horizons = {"CASEWORK_DEADLINE_HORIZONS": {"permit_expiri": 60}}
    chosen = production_settings(settings, **horizons) if production else {**settings, **horizons}
    with pytest.raises(ConfigError, match="permit_expiri.*permit_expiry"):
        create_app(chosen)


def test_a_deadline_horizon_for_each_known_kind_starts(settings):
    horizons = {"permit_expiry": 60, "short_stay_end": 45, "sanctions": 21}
    app = create_app({**settings, "CASEWORK_DEADLINE_HORIZONS": horizons})
    assert app.config["CASEWORK_DEADLINE_HORIZONS"] == horizons
