"""Casework: case management for people who refuse to fight in the war against Ukraine."""

import logging
import re

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from casework import logs
from casework.config import PROJECT_ROOT, check_config, load_config
from casework.errors import log_failure
from casework.web import InMemoryUploads


class CaseworkFlask(Flask):
    """Flask, but an unhandled error is logged by type and place only, and uploads never touch the disk.

    Exception messages can carry values (a database error quotes its parameters), and personal data
    must never reach a log line (S19), so the message and traceback stay out of the log.
    """

    request_class = InMemoryUploads

    def log_exception(self, exc_info) -> None:
        log_failure(exc_info[1])


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides settings read from the environment."""
    app = CaseworkFlask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    settings = load_config()
    settings.update(config or {})
    check_config(settings)
    app.config.update(_fixed_settings(settings))
    app.config.update(settings)
    if app.config["CASEWORK_TRUSTED_PROXIES"]:
        hops = app.config["CASEWORK_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    logging.getLogger("werkzeug").addFilter(_drop_query_strings)
    logs.configure_logging(app)

    from casework import database, errors, i18n, key_checks, keyring, permissions, web
    from casework.admin.blueprint import bp as admin_bp
    from casework.api.blueprint import bp as api_bp
    from casework.auth.blueprint import bp as auth_bp
    from casework.auth.setup import init_auth
    from casework.cases.agenda import check_horizons
    from casework.cases.blueprint import bp as cases_bp
    from casework.cli import register_commands
    from casework.health import bp as health_bp
    from casework.imports.blueprint import bp as imports_bp
    from casework.main.blueprint import bp as main_bp
    from casework.stats.blueprint import bp as stats_bp
    from casework.trail.blueprint import bp as trail_bp

    check_horizons(app.config["CASEWORK_DEADLINE_HORIZONS"])
    keyring.init_keys(app)
    key_checks.init_key_checks(app)  # a key file that does not fit the database stops the app here
    database.init_database(app)
    i18n.init_i18n(app)
    web.init_web(app)  # first, so that anonymous requests are sent to sign in before anything else runs
    permissions.init_permissions(app)  # then every request is checked against the capability table
    init_auth(app)
    errors.init_errors(app)
    for blueprint in (main_bp, auth_bp, admin_bp, cases_bp, imports_bp, trail_bp, stats_bp, health_bp, api_bp):
        app.register_blueprint(blueprint)
    register_commands(app)
    return app


def _fixed_settings(settings: dict) -> dict:
    """Settings that follow from the design rather than from the environment."""
    production = settings["CASEWORK_ENV"] == "production"
    return {
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True, "pool_pre_ping": True},
        "SESSION_PERMANENT": True,
        "SESSION_REFRESH_EACH_REQUEST": True,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_PATH": "/",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        # Pages send Referrer-Policy: no-referrer (S13), so browsers post without a Referer header, and
        # Flask-WTF's HTTPS referrer check would refuse every form. The session-bound token, the
        # SameSite=Strict __Host- cookie and HSTS stop cross-site posts without it.
        "WTF_CSRF_SSL_STRICT": False,
        "RATELIMIT_HEADERS_ENABLED": False,
    }


class _DropQueryStrings(logging.Filter):
    """Request log lines keep the path but not the query string, where search terms would appear."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (_QUERY_STRING.sub("", record.args[0], count=1),) + record.args[1:]
        return True


_QUERY_STRING = re.compile(r"\?\S*")
_drop_query_strings = _DropQueryStrings()
