"""A case's notes as it grows: the case page shows the latest notes and links to the earlier ones,
which are read on the case's notes pages, audited and charged like the case page, and any note of
the case can be corrected from the page that shows it."""

import html
import re
from datetime import timedelta

from sqlalchemy import select

from casework import clock
from casework.cases.case_record import LATEST_NOTES
from casework.extensions import db
from casework.models import AuditEvent, Case, Note
from tests.conftest import csrf_from


def _write_notes(app, case_id: str, author, how_many: int) -> list[str]:
    """`how_many` notes, a minute apart, oldest first; their ids in that order."""
    started = clock.utcnow() - timedelta(days=1)
    with app.app_context():
        case = db.session.get(Case, case_id)
        notes = [
            Note(case=case, author_id=author.id, body=f"Call number {number}.", created_at=started + timedelta(minutes=number))
            for number in range(1, how_many + 1)
        ]
        db.session.add_all(notes)
        db.session.commit()
        return [note.id for note in notes]


def _shown_notes(page: str) -> list[str]:
    return re.findall(r"Call number (\d+)\.", page)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_case_page_shows_the_latest_notes_and_links_to_the_earlier_ones(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)
    _write_notes(app, case_id, volunteer, LATEST_NOTES + 5)

    page = _text(client.get(f"/cases/{case_id}"))

    assert _shown_notes(page) == [str(number) for number in range(6, LATEST_NOTES + 6)], "the latest, oldest of them first"
    assert f'href="/cases/{case_id}/notes"' in page, "the earlier notes are one link away"


def test_a_case_with_few_notes_shows_them_all_and_no_link(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)
    _write_notes(app, case_id, volunteer, LATEST_NOTES)

    page = _text(client.get(f"/cases/{case_id}"))

    assert _shown_notes(page) == [str(number) for number in range(1, LATEST_NOTES + 1)]
    assert f'href="/cases/{case_id}/notes"' not in page


def test_the_notes_pages_show_every_note_in_order_audited_as_a_reading_of_the_case(app, signed_in, create_case):
    from casework.cases.routes import NOTES_PAGE_SIZE

    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)
    _write_notes(app, case_id, volunteer, NOTES_PAGE_SIZE + 3)

    first = client.get(f"/cases/{case_id}/notes")
    second = client.get(f"/cases/{case_id}/notes?page=2")

    assert first.status_code == second.status_code == 200
    assert _shown_notes(_text(first)) == [str(number) for number in range(1, NOTES_PAGE_SIZE + 1)]
    assert _shown_notes(_text(second)) == [str(number) for number in range(NOTES_PAGE_SIZE + 1, NOTES_PAGE_SIZE + 4)]
    assert f"/cases/{case_id}/notes?page=2" in _text(first)
    with app.app_context():
        readings = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.case_id == case_id, AuditEvent.action == "case_viewed")
        ).all()
    assert readings == ["notes", "notes"]


def test_an_earlier_note_is_corrected_from_the_notes_page(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)
    oldest = _write_notes(app, case_id, volunteer, LATEST_NOTES + 1)[0]
    assert f'value="{oldest}"' not in _text(client.get(f"/cases/{case_id}")), "not offered on the case page"
    notes_page = _text(client.get(f"/cases/{case_id}/notes"))
    assert f'value="{oldest}"' in notes_page

    correction = {"csrf_token": csrf_from(notes_page), "body": "Call number 1 was on Tuesday.", "corrects": oldest}
    response = client.post(f"/cases/{case_id}/notes", data=correction)

    assert response.status_code == 302
    with app.app_context():
        corrections = db.session.scalars(select(Note).where(Note.case_id == case_id, Note.corrects_id.is_not(None))).all()
        assert [(note.body, note.corrects_id) for note in corrections] == [("Call number 1 was on Tuesday.", oldest)]


def test_a_refused_correction_says_why_and_keeps_the_note_typed(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    mine = create_case(by=volunteer)
    other = create_case(by=volunteer, surname_latin="Abramov", phone="+79160000001")
    foreign = _write_notes(app, other, volunteer, 1)[0]

    response = client.post(
        f"/cases/{mine}/notes",
        data={"csrf_token": csrf_from(_text(client.get(f"/cases/{mine}"))), "body": "Typed with care.", "corrects": foreign},
    )

    assert response.status_code == 400
    page = _text(response)
    assert "The note to correct is not part of this case." in page
    assert "Typed with care." in page
    with app.app_context():
        assert db.session.scalars(select(Note.id).where(Note.case_id == mine)).all() == []


def test_the_notes_of_a_case_one_may_not_see_are_not_found(app, signed_in, create_case, make_user):
    client, _volunteer = signed_in("volunteer")
    someone_else = make_user("volunteer")
    case_id = create_case(by=someone_else, assignee=someone_else)
    _write_notes(app, case_id, someone_else, 3)

    response = client.get(f"/cases/{case_id}/notes")

    assert response.status_code == 404
    assert "Call number" not in _text(response)


def test_the_trail_names_a_reading_of_the_notes_pages(app, signed_in, create_case):
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator)
    _write_notes(app, case_id, coordinator, 2)
    assert client.get(f"/cases/{case_id}/notes").status_code == 200

    trail = _text(client.get("/audit/"))

    assert "notes pages" in trail


def test_the_note_to_correct_is_named_by_the_time_its_note_shows(app, signed_in, create_case):
    """The choice of a note to correct names it by the time printed above it, in the foundation's zone
    and the reader's language, not by its time in UTC."""
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)
    (note_id,) = _write_notes(app, case_id, volunteer, 1)

    page = _text(client.get(f"/cases/{case_id}"))

    shown = re.search(rf'id="note-{note_id}">\s*<p class="note-meta">[^·]*· ([^<·]+?)\s*</p>', page).group(1)
    offered = re.search(rf'<option value="{note_id}">([^<]+)</option>', page).group(1)
    assert offered == shown
