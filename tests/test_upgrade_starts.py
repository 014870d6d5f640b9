"""A database one migration behind the code must let the app start, so that `flask db upgrade` can
bring it up to date: the start-up key check then waits for the next start (on either database)."""

from sqlalchemy import text

from casework import create_app
from casework.extensions import db
from casework.key_checks import check_at_start
from casework.keyring import current_keys


def test_the_key_check_waits_while_the_schema_is_behind_the_code(app, create_case, make_user):
    create_case(by=make_user("coordinator"))
    with app.app_context():
        keys = current_keys()
        # No key versions on record, as on a database the app first started on before its tables
        # existed: the check must then read the rows that use each version, and meets the old schema.
        db.session.execute(text("DELETE FROM key_checks"))
        db.session.execute(text("ALTER TABLE persons DROP COLUMN alias"))  # as before the migration that adds it
        db.session.commit()
        db.engine.dispose()
    assert check_at_start(app, keys) is False
    create_app(dict(app.config))  # starts, so that `db upgrade` can run
