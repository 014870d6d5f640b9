"""What SQL a request sends: for the tests that a page reads a bounded number of rows or statements."""

from sqlalchemy import event

from casework.extensions import db


def statements_during(app, send) -> list[str]:
    """The SQL statements sent to the app's database while `send()` runs, in order."""
    seen = []
    with app.app_context():
        engine = db.engine

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        send()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen
