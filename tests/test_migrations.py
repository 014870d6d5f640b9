"""The migrations in migrations/ build exactly the schema the models describe, on SQLite and PostgreSQL.

Every test builds its own app on a fresh, empty database (the `database_url` fixture) and lets the
migrations create the schema, unlike the `app` fixture, which uses `db.create_all()`. Run against
PostgreSQL by setting CASEWORK_TEST_DATABASE_URL (see `make test-postgres`).
"""

import itertools
import logging
from datetime import date, datetime

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from casework import create_app
from casework.database import SQLITE_MMAP_BYTES
from casework.extensions import db

# Imported under another name so that pytest does not collect it as a test.
from tests.conftest import test_settings as settings_for

#: Kept by Alembic itself; it stays (empty) after a downgrade to base.
ALEMBIC_TABLE = "alembic_version"

#: The roles table holds the four fixed roles the first migration creates and nothing else, so the
#: walk through the migrations does not add rows to it.
FIXED_TABLES = {"roles"}


@pytest.fixture(autouse=True)
def _undo_env_py_logging_config():
    """Running migrations calls `logging.config.fileConfig` from migrations/env.py, which replaces the
    root logger's handlers and level (and would disable existing loggers, were env.py not told not
    to). Undo that after each test here, so that tests elsewhere that read log records do not depend
    on whether these tests ran first."""
    root = logging.getLogger()
    root_level, root_handlers = root.level, list(root.handlers)
    disabled = {
        name: logger.disabled
        for name, logger in list(logging.root.manager.loggerDict.items())
        if isinstance(logger, logging.Logger)
    }
    yield
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            logger.disabled = disabled.get(name, False)
    root.setLevel(root_level)
    for handler in list(root.handlers):
        if handler not in root_handlers:
            root.removeHandler(handler)
    for handler in root_handlers:
        if handler not in root.handlers:
            root.addHandler(handler)


@pytest.fixture
def fresh_app(database_url):
    """An app on an empty database: no tables until a migration creates them (apart from the
    session table, which Flask-Session creates when the app starts)."""
    app = create_app(settings_for(database_url))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _alembic_config():
    return current_app.extensions["migrate"].migrate.get_config()


def _revisions_base_to_head() -> list[str]:
    """Every revision id in order of application; the migrations must form a single line."""
    script = ScriptDirectory.from_config(_alembic_config())
    heads = script.get_heads()
    assert len(heads) == 1, f"the migrations have several heads {heads}: merge them"
    return [revision.revision for revision in reversed(list(script.walk_revisions("base", "heads")))]


def _migration_tables() -> set[str]:
    """The tables present in the database that belong to the migrations."""
    return set(sa.inspect(db.engine).get_table_names()) - {ALEMBIC_TABLE}


def _env_include_object():
    """The `include_object` filter that migrations/env.py gives Alembic, read from the context it
    configures (env.py cannot simply be imported: it needs a running Alembic environment)."""
    config = _alembic_config()
    script = ScriptDirectory.from_config(config)
    seen = {}

    def capture(_revision, context):
        seen.update(context.opts)
        return []  # run no migration

    with EnvironmentContext(config, script, fn=capture):
        script.run_env()
    assert seen.get("include_object"), "migrations/env.py no longer passes an include_object filter"
    return seen["include_object"]


def test_migration_head_matches_the_models(fresh_app):
    """After `db upgrade` on an empty database the schema equals the models' metadata: nobody changed
    a model without writing the migration (autogenerate finds nothing, types included)."""
    with fresh_app.app_context():
        flask_migrate.upgrade()
        include_object = _env_include_object()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_object": include_object, "compare_type": True})
            diff = compare_metadata(context, db.metadata)
    listing = "\n".join(map(repr, diff))
    assert diff == [], f"models and migrations differ; run `flask --app casework db migrate`:\n{listing}"


_counter = itertools.count(1)


def _sample_value(column: sa.Column):
    """A value of the column's type, different every call so that unique constraints hold."""
    number = next(_counter)
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return number % 2 == 0
    if isinstance(kind, sa.Integer):
        return number
    if isinstance(kind, (sa.Numeric, sa.Float)):
        return number
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 1, 1, 12, 0, number % 60)
    if isinstance(kind, sa.Date):
        return date(2026, 1, 1 + number % 28)
    if isinstance(kind, sa.LargeBinary):
        return f"bytes {number}".encode()
    if isinstance(kind, sa.JSON):
        return {"n": number}
    if isinstance(kind, sa.Enum) and kind.enums:
        return kind.enums[0]
    if isinstance(kind, sa.String):
        text = f"m{number}"
        return text[: kind.length] if kind.length else text
    raise AssertionError(f"no sample value for {column.table.name}.{column.name} of type {kind!r}")


def _insert_sample_rows() -> None:
    """One new row in every migrated table, filling every column (NULL-able ones too, so that
    migrations that copy or convert columns meet real values). Foreign keys point at existing rows;
    a user gets the 'admin' role and audit events point at a user."""
    metadata = sa.MetaData()
    with db.engine.begin() as connection:
        metadata.reflect(bind=connection)
        admin_role = connection.execute(sa.text("SELECT id FROM roles WHERE name = 'admin'")).scalar_one()
        overrides = {("users", "role_id"): admin_role}
        for table in metadata.sorted_tables:
            if table.name in FIXED_TABLES | {ALEMBIC_TABLE}:
                continue
            row = {}
            for column in table.columns:
                if (table.name, column.name) in overrides:
                    row[column.name] = overrides[(table.name, column.name)]
                elif column.foreign_keys:
                    target = next(iter(column.foreign_keys)).column
                    query = sa.select(target).order_by(target.desc()).limit(1)
                    if column.primary_key:  # one row per referenced row: pick one not yet used
                        query = query.where(target.notin_(sa.select(column)))
                    row[column.name] = connection.execute(query).scalar()
                elif column.primary_key and isinstance(column.type, sa.Integer):
                    continue  # the database numbers it
                else:
                    row[column.name] = _sample_value(column)
            connection.execute(table.insert().values(row))


def _row_counts() -> dict[str, int]:
    inspector = sa.inspect(db.engine)
    with db.engine.connect() as connection:
        return {
            name: connection.execute(sa.text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()
            for name in inspector.get_table_names()
            if name != ALEMBIC_TABLE
        }


def _assert_rows_kept(before: dict[str, int], step: str) -> None:
    """Tables that exist before and after a step have lost no rows."""
    after = _row_counts()
    lost = {name: (count, after[name]) for name, count in before.items() if name in after and after[name] < count}
    assert not lost, f"{step} lost rows (before, after): {lost}"


def test_every_migration_upgrades_and_downgrades_with_data(fresh_app):
    """Each migration, one at a time, upgrades a database that holds data, and each downgrades it
    again down to base, where no Casework table is left; then the whole chain upgrades once more."""
    with fresh_app.app_context():
        config = _alembic_config()
        revisions = _revisions_base_to_head()
        assert revisions, "there are no migrations"

        for revision in revisions:
            before = _row_counts()
            command.upgrade(config, revision)
            _assert_rows_kept(before, f"upgrade to {revision}")
            _insert_sample_rows()

        with db.engine.connect() as connection:
            users = connection.execute(sa.text("SELECT COUNT(*) FROM users")).scalar_one()
            events = connection.execute(sa.text("SELECT COUNT(*) FROM audit_events WHERE actor_id IS NOT NULL")).scalar_one()
        assert users >= len(revisions) and events >= len(revisions)

        for revision in reversed(revisions):
            before = _row_counts()
            command.downgrade(config, "-1")
            _assert_rows_kept(before, f"downgrade of {revision}")

        assert _migration_tables() == set(), "tables left behind after downgrading to base"
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() is None

        command.upgrade(config, "head")
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == revisions[-1]
        assert {"roles", "users", "audit_events"} <= _migration_tables()


def test_first_migration_creates_the_four_roles(fresh_app):
    """domain.md: exactly four roles exist, made by the first migration rather than by the app."""
    with fresh_app.app_context():
        first = _revisions_base_to_head()[0]
        command.upgrade(_alembic_config(), first)
        with db.engine.connect() as connection:
            names = connection.execute(sa.text("SELECT name FROM roles")).scalars().all()
    assert sorted(names) == sorted(["volunteer", "coordinator", "advocate", "admin"])


def test_sqlite_connection_settings(fresh_app):
    """SQLite connections enforce foreign keys, use WAL, overwrite deleted data on disk and read the
    file through memory mapping."""
    with fresh_app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip(f"PRAGMA settings apply to SQLite only; this run uses {db.engine.dialect.name}")
    with fresh_app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA mmap_size").scalar() == SQLITE_MMAP_BYTES


def test_db_upgrade_command_on_a_fresh_database(fresh_app):
    """`flask --app casework db upgrade`, the first step of every installation, succeeds on an empty
    database and leaves it at the head revision."""
    result = fresh_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    with fresh_app.app_context():
        head = _revisions_base_to_head()[-1]
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == head
        assert {"roles", "users", "audit_events"} <= _migration_tables()


def test_layouts_lose_their_unkeyed_header_digest_and_keep_their_runs(fresh_app):
    """cea7af717c48: a layout saved under the plain SHA-256 of a header row (a person's row, where a
    sheet had no header) keeps its columns and its runs, but no digest anyone could test a guess on."""
    with fresh_app.app_context():
        config = _alembic_config()
        command.upgrade(config, "b5d2e8f1a437")
        _insert_sample_rows()
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE import_layouts SET header_hash = :digest"), {"digest": "7caee470" * 8})
            layout_id = connection.execute(sa.text("SELECT id FROM import_layouts")).scalar_one()
            connection.execute(sa.text("UPDATE import_runs SET layout_id = :id"), {"id": layout_id})
        command.upgrade(config, "cea7af717c48")
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT header_hash FROM import_layouts")).scalars().all() == [
                f"retired-{layout_id}"
            ]
            assert connection.execute(sa.text("SELECT layout_id FROM import_runs")).scalars().all() == [layout_id]
