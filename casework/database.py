"""Database binding: SQLAlchemy, migrations and the SQLite settings the design requires."""

import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

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


def init_database(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        INSTANCE_DIR.mkdir(mode=0o700, exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    import casework.models  # noqa: F401  (registers the models on the metadata)
    import casework.people.indexing  # noqa: F401  (keeps blind indexes current on every flush)
