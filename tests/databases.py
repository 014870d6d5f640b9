"""The suite's databases: empty ones for the tests that build the schema themselves, and one with the
schema built once per test process, which every other test starts from.

Building the schema costs a tenth of a second on SQLite and up to half a second on PostgreSQL, and
creating and dropping a PostgreSQL database costs as much again on a busy machine (the copy of the
template goes through the write-ahead log): over well over a thousand tests, most of the PostgreSQL
run. So on SQLite each test gets a copy of a built file (a millisecond), and on PostgreSQL the tests
of one process share one built database, emptied before each test (a few milliseconds). A test that
changed the schema itself (dropped a column, say) is noticed by the schema's fingerprint, and the
database is then built again, so no test sees another's schema or rows.
"""

import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


def _on_server(base_url: str, statement: str) -> None:
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(statement))
    admin.dispose()


def fresh_postgres_database(base_url: str) -> str:
    """A new, empty database on the server named by `base_url`; its URL."""
    name = f"casework_test_{uuid.uuid4().hex[:12]}"
    _on_server(base_url, f'CREATE DATABASE "{name}"')
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(base_url: str, url: str) -> None:
    _on_server(base_url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


#: Everything a test could change in the schema: columns, indexes, constraints, triggers, sequences.
_FINGERPRINT = text(
    """
    SELECT md5(string_agg(part, ',' ORDER BY part)) FROM (
        SELECT table_name || '.' || column_name || ':' || data_type || ':' || is_nullable || ':'
               || coalesce(column_default, '') AS part
          FROM information_schema.columns WHERE table_schema = 'public'
        UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
        UNION ALL SELECT conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint
         WHERE connamespace = 'public'::regnamespace
        UNION ALL SELECT tgname FROM pg_trigger WHERE NOT tgisinternal
        UNION ALL SELECT 'sequence ' || sequencename FROM pg_sequences WHERE schemaname = 'public'
    ) AS schema
    """
)


class SharedPostgresDatabase:
    """One PostgreSQL database with the schema, emptied before each test of this process."""

    def __init__(self, base_url: str, build: Callable[[str], None], tables_in_order: list[str]):
        """`build(url)` creates the schema in the empty database at `url`; `tables_in_order` lists the
        tables so that each comes after those it refers to (SQLAlchemy's `sorted_tables`)."""
        self.base_url, self.build, self.tables = base_url, build, tables_in_order
        self.url = self._built()

    def _built(self) -> str:
        url = fresh_postgres_database(self.base_url)
        self.build(url)
        self.fingerprint = self._engine_run(url, lambda connection: connection.scalar(_FINGERPRINT))
        return url

    @staticmethod
    def _engine_run(url: str, work):
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.begin() as connection:
                return work(connection)
        finally:
            engine.dispose()

    def emptied(self) -> str:
        """The database with the schema and no rows, its sequences starting again at 1; its URL."""

        def empty(connection) -> bool:
            # An app a test left unclosed may still hold a connection, and with it a lock on a table.
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            if connection.scalar(_FINGERPRINT) != self.fingerprint:
                return False
            for table in reversed(self.tables):
                connection.execute(text(f'DELETE FROM "{table}"'))
            for (sequence,) in connection.execute(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")):
                connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
            return True

        if not self._engine_run(self.url, empty):
            self.drop()
            self.url = self._built()
        return self.url

    def drop(self) -> None:
        drop_postgres_database(self.base_url, self.url)
