"""Settings read from ``CASEWORK_*`` environment variables.

Nothing here touches the disk or the network: `load_config` only reads the environment and returns
a dictionary, so tests can build any configuration they like. `check_config` is where a production
instance refuses to start with settings that would put people at risk (security.md S19).
"""

import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

#: Known to everyone who reads this file, so refused in production.
DEVELOPMENT_SECRET_KEY = "casework-development-only-secret-key-do-not-deploy"
MIN_SECRET_KEY_LENGTH = 32
#: The address a development server listens on; a production instance must name its own.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"

LOCALES = ("en", "nl", "ru", "uk")


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the message tells the admin what to change."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"CASEWORK_{name}")
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    raw = _env(name)
    try:
        return int(raw) if raw is not None else default
    except ValueError as exc:
        raise ConfigError(f"CASEWORK_{name} must be a whole number, not {raw!r}") from exc


def _float(name: str, default: float) -> float:
    raw = _env(name)
    try:
        return float(raw) if raw is not None else default
    except ValueError as exc:
        raise ConfigError(f"CASEWORK_{name} must be a number, not {raw!r}") from exc


def _optional_int(name: str) -> int | None:
    """None when unset, so that production can insist on an explicit value (0 included)."""
    return _int(name, 0) if _env(name) is not None else None


def worker_count() -> int:
    """Worker processes serving the app; gunicorn.conf.py reads the same variables, so the app knows
    whether its sign-in counters are shared (one worker, or Redis) or split between processes."""
    for name in ("CASEWORK_WORKERS", "WEB_CONCURRENCY"):
        raw = os.environ.get(name, "").strip()
        if raw:
            try:
                return int(raw)
            except ValueError as exc:
                raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc
    return 1


def _horizons() -> dict[str, int]:
    """Per-kind deadline horizons in days, e.g. CASEWORK_DEADLINE_HORIZONS="permit_expiry=60,sanctions=21"."""
    raw = _env("DEADLINE_HORIZONS", "")
    try:
        pairs = [item.split("=", 1) for item in raw.split(",") if item.strip()]
        return {kind.strip(): int(days) for kind, days in pairs}
    except ValueError as exc:
        raise ConfigError(f"CASEWORK_DEADLINE_HORIZONS must read like permit_expiry=90,sanctions=14, not {raw!r}") from exc


def load_config() -> dict:
    """Return Flask settings built from the environment, with safe local defaults."""
    env = _env("ENV", "development")
    production = env == "production"
    database_url = _env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'casework.sqlite'}")
    redis_url = _env("REDIS_URL")
    cookie_name = "__Host-casework" if production else "casework"
    return {
        "CASEWORK_ENV": env,
        "SECRET_KEY": _env("SECRET_KEY", None if production else DEVELOPMENT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "CASEWORK_KEY_FILE": _env("KEY_FILE", str(INSTANCE_DIR / "keys.json")),
        "CASEWORK_KEYS": _env("KEYS"),
        "CASEWORK_DOCUMENT_DIR": _env("DOCUMENT_DIR", str(INSTANCE_DIR / "documents")),
        "CASEWORK_DOCUMENT_MAX_BYTES": _int("DOCUMENT_MAX_MB", 10) * 1024 * 1024,
        # Spreadsheet imports: the largest file and sheet taken, and how long an unfinished run keeps its file.
        "CASEWORK_IMPORT_MAX_BYTES": _int("IMPORT_MAX_MB", 5) * 1024 * 1024,
        "CASEWORK_IMPORT_MAX_ROWS": _int("IMPORT_MAX_ROWS", 20_000),
        "CASEWORK_IMPORT_HOURS": _int("IMPORT_HOURS", 24),
        "CASEWORK_REDIS_URL": redis_url,
        "CASEWORK_LOG_LEVEL": _env("LOG_LEVEL", "INFO"),
        "CASEWORK_LIBRARY_LOG_LEVEL": _env("LIBRARY_LOG_LEVEL", "WARNING"),
        # PostgreSQL only (casework.database.engine_options): timeouts and the pool of each worker.
        "CASEWORK_DB_STATEMENT_TIMEOUT_MS": _int("DB_STATEMENT_TIMEOUT_MS", 30_000),
        "CASEWORK_DB_LOCK_TIMEOUT_MS": _int("DB_LOCK_TIMEOUT_MS", 10_000),
        "CASEWORK_DB_IDLE_IN_TRANSACTION_MS": _int("DB_IDLE_IN_TRANSACTION_MS", 60_000),
        "CASEWORK_DB_CONNECT_TIMEOUT": _int("DB_CONNECT_TIMEOUT", 5),
        "CASEWORK_DB_POOL_SIZE": _int("DB_POOL_SIZE", 5),
        "CASEWORK_DB_MAX_OVERFLOW": _int("DB_MAX_OVERFLOW", 5),
        "CASEWORK_DB_POOL_TIMEOUT": _int("DB_POOL_TIMEOUT", 10),
        "CASEWORK_DB_POOL_RECYCLE": _int("DB_POOL_RECYCLE", 1800),
        "CASEWORK_BASE_URL": _env("BASE_URL", DEVELOPMENT_BASE_URL),
        "CASEWORK_TRUSTED_PROXIES": _optional_int("TRUSTED_PROXIES"),
        "CASEWORK_WORKERS": worker_count(),
        "CASEWORK_ALLOW_SQLITE": _env("ALLOW_SQLITE", "0") == "1",
        "CASEWORK_LOGIN_LIMIT_ACCOUNT": _env("LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes"),
        "CASEWORK_LOGIN_LIMIT_ADDRESS": _env("LOGIN_LIMIT_ADDRESS", "30 per 15 minutes"),
        "CASEWORK_API_RATE_LIMIT": _env("API_RATE_LIMIT", "60 per minute"),
        "CASEWORK_API_MAX_BYTES": _int("API_MAX_KB", 64) * 1024,
        "CASEWORK_INVITE_HOURS": _int("INVITE_HOURS", 72),
        "CASEWORK_WARNING_DAYS": _int("WARNING_DAYS", 14),
        "CASEWORK_DEADLINE_HORIZONS": _horizons(),
        "CASEWORK_VOLUNTEER_VIEWS_PER_HOUR": _int("VOLUNTEER_VIEWS_PER_HOUR", 60),
        "CASEWORK_EXPORTS_PER_DAY": _int("EXPORTS_PER_DAY", 3),
        "CASEWORK_RETENTION_MONTHS": _int("RETENTION_MONTHS", 24),
        "CASEWORK_EPSILON_TABLE": _float("EPSILON_TABLE", 0.2),
        "CASEWORK_EPSILON_PERIOD": _float("EPSILON_PERIOD", 1.0),
        "CASEWORK_EPSILON_LIFETIME": _float("EPSILON_LIFETIME", 3.0),
        "CASEWORK_SESSION_ABSOLUTE": timedelta(hours=_int("SESSION_MAX_HOURS", 12)),
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=_int("SESSION_IDLE_MINUTES", 30)),
        "SESSION_COOKIE_NAME": cookie_name,
        "SESSION_TYPE": "redis" if redis_url else "sqlalchemy",
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
    }


def check_config(config: dict) -> None:
    """Refuse settings that are unsafe in production; raise `ConfigError` saying what to fix."""
    if config.get("CASEWORK_ENV") not in ("development", "production", "testing"):
        raise ConfigError("CASEWORK_ENV must be 'development', 'production' or 'testing'.")
    if config["CASEWORK_ENV"] != "production":
        return
    secret = config.get("SECRET_KEY") or ""
    if not secret:
        raise ConfigError("Set CASEWORK_SECRET_KEY to a random value of at least 32 characters.")
    if secret == DEVELOPMENT_SECRET_KEY or len(secret) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            "CASEWORK_SECRET_KEY is the development default or shorter than 32 characters: "
            'generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    _check_sign_in_limits(config)
    _check_storage(config)


def _check_sign_in_limits(config: dict) -> None:
    """S8 holds only if every worker sees every failed attempt, and sees the client's own address."""
    if (config.get("CASEWORK_WORKERS") or 1) > 1 and not config.get("CASEWORK_REDIS_URL"):
        raise ConfigError(
            f"{config['CASEWORK_WORKERS']} workers would each count failed sign-ins on their own: set "
            "CASEWORK_REDIS_URL so that they share the counters, or run one worker (CASEWORK_WORKERS=1)."
        )
    if config.get("CASEWORK_TRUSTED_PROXIES") is None:
        raise ConfigError(
            "Set CASEWORK_TRUSTED_PROXIES to the number of reverse proxies in front of Casework (1 behind "
            "nginx or Caddy, 0 if clients connect directly): with the wrong count every client shares the "
            "proxy's address, and the sign-in limit per address could lock everyone out."
        )
    base_url = config.get("CASEWORK_BASE_URL") or ""
    if base_url == DEVELOPMENT_BASE_URL or not base_url.startswith("https://"):
        raise ConfigError(
            "Set CASEWORK_BASE_URL to the https:// address people open (setup links are built from it), "
            "not the development default."
        )


def _check_storage(config: dict) -> None:
    uri = config.get("SQLALCHEMY_DATABASE_URI") or ""
    if uri.startswith("sqlite") and not config.get("CASEWORK_ALLOW_SQLITE"):
        raise ConfigError(
            "Production runs on PostgreSQL (CASEWORK_DATABASE_URL=postgresql+psycopg://...). To run a small "
            "instance on SQLite anyway, set CASEWORK_ALLOW_SQLITE=1."
        )
