"""The statistics migration carries released quarters over: the people a published release counted
(each in the quarter of their own first intake, as releases counted then) are stored with that
quarter, so no later release counts them again; the ledger rows of tables reconciled to the total
get the total's epsilon as borrowed. On SQLite and PostgreSQL (CASEWORK_TEST_DATABASE_URL)."""

from datetime import datetime

import flask_migrate
import pytest
import sqlalchemy as sa

from casework.extensions import db
from tests.test_migrations import _sample_value, _undo_env_py_logging_config, fresh_app  # noqa: F401  (fixtures)

BEFORE, THIS = "e9a4c2b7d513", "3f6b8d2a7c15"


def insert(connection, metadata: sa.MetaData, table_name: str, **values) -> None:
    """A row with `values`, every other column filled with a sample value (foreign keys: the last row)."""
    table = metadata.tables[table_name]
    row = dict(values)
    for column in table.columns:
        if column.name in row or (column.primary_key and isinstance(column.type, sa.Integer)):
            continue
        if column.foreign_keys:
            target = next(iter(column.foreign_keys)).column
            row[column.name] = connection.execute(sa.select(target).order_by(target.desc()).limit(1)).scalar()
        else:
            row[column.name] = _sample_value(column)
    connection.execute(table.insert().values(row))


def test_released_quarters_are_carried_over(fresh_app):  # noqa: F811  (the fixture imported above)
    with fresh_app.app_context():
        flask_migrate.upgrade(revision=BEFORE)
        metadata = sa.MetaData()
        with db.engine.begin() as connection:
            metadata.reflect(bind=connection)
            admin = connection.execute(sa.text("SELECT id FROM roles WHERE name = 'admin'")).scalar_one()
            insert(connection, metadata, "users", role_id=admin)
            people = {"q2 only": datetime(2026, 5, 1), "q2 then q3": datetime(2026, 6, 30, 23), "q3 only": datetime(2026, 7, 1)}
            for person, first in people.items():
                insert(connection, metadata, "persons", id=person, erased_at=None)
                insert(connection, metadata, "cases", id=f"{person} first", person_id=person, created_at=first)
            insert(connection, metadata, "cases", id="q2 then q3 again", person_id="q2 then q3", created_at=datetime(2026, 8, 1))
            insert(connection, metadata, "releases", period="2026Q2", status="published")
            insert(connection, metadata, "releases", period="2026Q1", status="requested")
            release = connection.execute(sa.text("SELECT id FROM releases WHERE period = '2026Q2'")).scalar_one()
            for table_id in ("total", "age_band", "sex"):
                insert(
                    connection,
                    metadata,
                    "privacy_ledger",
                    period="2026Q2",
                    table_id=table_id,
                    epsilon=1 / 6,
                    release_id=release,
                    overlapping=False,
                )

        flask_migrate.upgrade(revision=THIS)
        with db.engine.connect() as connection:
            counted = dict(connection.execute(sa.text("SELECT person_id, period FROM stats_counted_people")).all())
            borrowed = dict(connection.execute(sa.text("SELECT table_id, borrowed FROM privacy_ledger")).all())
        assert counted == {"q2 only": "2026Q2", "q2 then q3": "2026Q2"}
        assert borrowed == {"total": 0.0, "age_band": pytest.approx(1 / 6), "sex": pytest.approx(1 / 6)}

        flask_migrate.downgrade(revision=BEFORE)
        assert "stats_counted_people" not in sa.inspect(db.engine).get_table_names()
