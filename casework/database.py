"""Database binding: SQLAlchemy, migrations, the SQLite settings the design requires and the
PostgreSQL timeouts and pool that production needs."""

import os
import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from casework.config import INSTANCE_DIR, PROJECT_ROOT
from casework.extensions import db, migrate

#: How much of an SQLite file is read through memory mapping rather than a read() per page. A large
#: database is read at random (a statistics release reads each first case, its person and its tags):
#: the release's main query at 1,000,000 cases (a 1 GB file) took 2.4-2.7 s with reads, 1.65-1.8 s
#: with the whole file mapped, and mapping only the first 256 MB changed nothing. Memory mapping is
#: address space, not memory: the pages are the operating system's file cache, shared. This is the
#: most SQLite's usual build maps (SQLITE_MAX_MMAP_SIZE, just under 2 GiB); it clamps a larger value.
SQLITE_MMAP_BYTES = 0x7FFF0000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Foreign keys enforced, WAL for concurrent readers, deleted data overwritten on disk, and the
    file read through memory mapping."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()


def on_postgresql() -> bool:
    """Whether this app's session talks to PostgreSQL, for the few steps that take a faster path
    there (a statistics release's bulk insert and id lookup, its planner setting)."""
    return db.session.get_bind().dialect.name == "postgresql"


def _private_sqlite_file(uri: str) -> None:
    """Create the SQLite file (and its folder) readable by the service user only, and tighten them if
    they exist: SQLite would create the file under the process's umask, often world-readable, and its
    journal files take the file's permissions. The instance folder also holds the key file."""
    name = make_url(uri).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.parent.resolve() == INSTANCE_DIR.resolve():
        INSTANCE_DIR.chmod(0o700)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    path.chmod(0o600)


def engine_options(config: dict) -> dict:
    """SQLAlchemy's engine settings. On PostgreSQL: a connect timeout, a statement timeout (a runaway
    query ends rather than holding a worker), a lock timeout, an end to transactions left idle, and
    a bounded pool per worker, recycled now and then; all from CASEWORK_DB_* settings. SQLite keeps
    SQLAlchemy's own choices. Parameters never appear in error messages, which may be logged (S19)."""
    options = {**config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), "hide_parameters": True, "pool_pre_ping": True}
    if make_url(config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        return options
    server_settings = {
        "statement_timeout": config["CASEWORK_DB_STATEMENT_TIMEOUT_MS"],
        "lock_timeout": config["CASEWORK_DB_LOCK_TIMEOUT_MS"],
        "idle_in_transaction_session_timeout": config["CASEWORK_DB_IDLE_IN_TRANSACTION_MS"],
    }
    return {
        **options,
        "connect_args": {
            "connect_timeout": config["CASEWORK_DB_CONNECT_TIMEOUT"],
            "options": " ".join(f"-c {name}={value}" for name, value in server_settings.items()),
        },
        "pool_size": config["CASEWORK_DB_POOL_SIZE"],
        "max_overflow": config["CASEWORK_DB_MAX_OVERFLOW"],
        "pool_timeout": config["CASEWORK_DB_POOL_TIMEOUT"],
        "pool_recycle": config["CASEWORK_DB_POOL_RECYCLE"],
    }


def init_database(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        _private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    import casework.models  # noqa: F401  (registers the models on the metadata)
    import casework.people.indexing  # noqa: F401  (keeps blind indexes current on every flush)
