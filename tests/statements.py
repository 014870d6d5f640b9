"""What SQL a request sends: for the tests that a page reads a bounded number of rows or statements."""

import traceback

from sqlalchemy import event

from casework.extensions import db


def statements_during(app, send) -> list[str]:
    """The SQL statements sent to the app's database while `send()` runs, in order."""
    return [statement for statement, _ in _recorded(app, send)]


def statements_from_templates(app, send) -> list[str]:
    """Those of the statements that a template sent while it was rendering (a relation it touched)."""
    return [statement for statement, from_template in _recorded(app, send) if from_template]


def _recorded(app, send) -> list[tuple[str, bool]]:
    seen = []
    with app.app_context():
        engine = db.engine

    def note(_conn, _cursor, statement, *_args):
        seen.append((statement, any(frame.filename.endswith(".html") for frame in traceback.extract_stack())))

    event.listen(engine, "before_cursor_execute", note)
    try:
        send()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen
