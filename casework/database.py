"""Database binding: SQLAlchemy, migrations and the SQLite settings the design requires."""

import os
import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from casework.config import INSTANCE_DIR, PROJECT_ROOT
from casework.extensions import db, migrate


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Foreign keys enforced, WAL for concurrent readers, and deleted data overwritten on disk."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


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


def init_database(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        _private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    import casework.models  # noqa: F401  (registers the models on the metadata)
    import casework.people.indexing  # noqa: F401  (keeps blind indexes current on every flush)
