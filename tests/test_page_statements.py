"""A case page costs the same number of SQL statements however many notes it shows: each note
shows its author, and reading authors one by one was one statement per author."""

from casework.extensions import db
from casework.models import Case, Note
from tests.statements import statements_during


def _add_notes(app, case_id: str, writers) -> None:
    with app.app_context():
        case = db.session.get(Case, case_id)
        for number, writer in enumerate(writers):
            db.session.add(Note(case=case, author_id=writer.id, body=f"note {number}"))
        db.session.commit()


def test_case_page_statements_do_not_grow_with_its_notes(app, signed_in, create_case, make_user):
    client, coordinator = signed_in("coordinator")
    writers = [make_user("volunteer") for _ in range(4)]
    case_id = create_case(by=coordinator)
    _add_notes(app, case_id, writers[:1])
    client.get(f"/cases/{case_id}")
    one_note = len(statements_during(app, lambda: client.get(f"/cases/{case_id}")))
    _add_notes(app, case_id, writers * 2)
    nine_notes = len(statements_during(app, lambda: client.get(f"/cases/{case_id}")))
    assert nine_notes == one_note
