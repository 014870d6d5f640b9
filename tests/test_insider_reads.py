"""A planted volunteer (security.md): what they learn about people they may not see (S21), and how
much they can read of those they may (S22)."""

import re

import pytest
from sqlalchemy import event, func, select

from casework import jobs
from casework.cases import operations
from casework.cases.intake import HIT_FLAG
from casework.cases.read_budget import FLAG
from casework.extensions import db
from casework.models import AuditEvent, Case, User
from tests.test_cases_workflow import SAME_MAN, intake, token

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
#: Someone nobody has recorded, given with the same fields as SAME_MAN, so that pages can be compared.
UNKNOWN = {
    "surname_latin": "Orlov",
    "given_names_latin": "Pavel",
    "surname_cyrillic": None,
    "given_names_cyrillic": None,
    "phone": "+79165550000",
    "telegram": None,
}
#: Different people (names are compared without digits, so "Orlov1" would be Orlov again).
SURNAMES = ["Belov", "Frolov", "Gromov", "Zotov", "Lapin"]


def flags(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


# S21: the intake answers the same whether or not the person is known ------------------------------


def _shape(response, client) -> tuple:
    """What a volunteer perceives of an intake: status, where it sends them, and the page there with
    this case's own values and ids taken out."""
    location = re.sub(r"/cases/[0-9a-f-]{36}", "/cases/ID", response.headers.get("Location", ""))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    page = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "ID", page)
    page = re.sub(r'name="csrf_token" value="[^"]+"', "", page)
    for value in list(SAME_MAN.values()) + list(UNKNOWN.values()):
        if value:
            page = page.replace(str(value), "VALUE")
    return response.status_code, location, page


def test_intake_of_a_known_and_of_an_unknown_person_look_the_same(app, signed_in, make_user, create_case):
    create_case(by=make_user("coordinator"))  # Sokolov, whom SAME_MAN matches by phone
    client, _volunteer = signed_in("volunteer")

    counts = []
    with app.app_context():
        engine = db.engine
    for values in (SAME_MAN, UNKNOWN):
        csrf = token(client, "/cases/new")
        seen = []

        def count(*_args, seen=seen):
            seen.append(1)

        event.listen(engine, "before_cursor_execute", count)
        response = intake(client, csrf, **values)
        event.remove(engine, "before_cursor_execute", count)
        counts.append((len(seen), _shape(response, client)))
    (known_statements, known), (unknown_statements, unknown) = counts
    assert known[:2] == unknown[:2]
    assert known[2].splitlines() == unknown[2].splitlines()
    assert "match" not in known[2].lower()
    assert known_statements == unknown_statements, "the same work is done either way, so timing tells nothing"


def test_the_match_reaches_the_coordinators_queue_after_the_intake(app, signed_in, make_user, create_case):
    create_case(by=make_user("coordinator"))
    client, _volunteer = signed_in("volunteer")
    case_id = intake(client, **SAME_MAN).headers["Location"].rsplit("/", 1)[-1]
    with app.app_context():
        assert not db.session.get(Case, case_id).possible_duplicate
        assert jobs.run_queued() == 1
        assert db.session.get(Case, case_id).possible_duplicate
    coordinator_client, _ = signed_in("coordinator")
    assert case_id in coordinator_client.get("/cases/duplicates").get_data(as_text=True)


def test_a_volunteer_whose_intakes_keep_matching_is_flagged_once_a_day(app, signed_in, make_user, create_case):
    coordinator = make_user("coordinator")
    people = [
        dict(phone=f"+7916555{n:04d}", telegram=None, passport_number=None, surname_latin=f"Known{n}", surname_cyrillic=None)
        for n in range(4)
    ]
    for person in people:
        create_case(by=coordinator, **person)
    honest, _ = signed_in("volunteer")
    for n in range(4):
        intake(honest, **{**UNKNOWN, "surname_latin": SURNAMES[n], "phone": f"+7916777{n:04d}"})
    prober, probing = signed_in("volunteer")
    for person in people:
        intake(prober, **person)
    with app.app_context():
        jobs.run_queued()
    raised = flags(app, HIT_FLAG)
    assert [(flag.actor_id, flag.detail) for flag in raised] == [(probing.id, "3/3")], "flagged at the third match, once"


def test_a_returning_person_now_and_then_is_not_flagged(app, signed_in, make_user, create_case):
    create_case(by=make_user("coordinator"))
    client, _ = signed_in("volunteer")
    intake(client, **SAME_MAN)
    for n in range(5):
        intake(client, **{**UNKNOWN, "surname_latin": SURNAMES[n], "phone": f"+7916888{n:04d}"})
    with app.app_context():
        jobs.run_queued()
    assert flags(app, HIT_FLAG) == []


# S22: one read budget over every route that shows personal data ----------------------------------


@pytest.fixture
def volunteer_with_a_case(app, signed_in, create_case):
    app.config["CASEWORK_VOLUNTEER_VIEWS_PER_HOUR"] = 4
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)
    with app.app_context():
        case = db.session.get(Case, case_id)
        document = operations.attach_document(case, "scan.png", PNG, db.session.get(User, volunteer.id))
        db.session.commit()
        document_id = document.id
    return client, volunteer, case_id, document_id


def test_the_budget_is_one_over_every_route(app, volunteer_with_a_case):
    """Case page, edit form, document and a search result spend the 4 reads; then the due list,
    which shows that case's deadlines, is refused and flagged, and so is everything after it."""
    client, volunteer, case_id, document_id = volunteer_with_a_case
    assert client.get(f"/cases/{case_id}").status_code == 200
    assert client.get(f"/cases/{case_id}/edit").status_code == 200
    assert client.get(f"/cases/{case_id}/documents/{document_id}").status_code == 200
    found = client.post(
        "/cases/search", data={"csrf_token": token(client, "/cases/search"), "field": "phone", "value": "+79161234567"}
    )
    assert found.status_code == 200 and case_id in found.get_data(as_text=True)
    for url in ("/cases/due?days=30", f"/cases/{case_id}", f"/cases/{case_id}/edit", f"/cases/{case_id}/documents/{document_id}"):
        refused = client.get(url)
        assert refused.status_code == 429, url
        assert "Sokolov" not in refused.get_data(as_text=True)
    assert [(flag.actor_id, flag.case_id) for flag in flags(app, FLAG)] == [(volunteer.id, None)], (
        "one flag, however many refusals"
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "case_viewed")) == 2


def test_the_notes_pages_spend_the_same_budget(app, volunteer_with_a_case):
    """Paging through a case's notes is reading the case: four pages spend the 4 reads, and the
    fifth page and the case page itself are refused without a word of the notes."""
    client, volunteer, case_id, _document_id = volunteer_with_a_case
    with app.app_context():
        operations.add_note(db.session.get(Case, case_id), "He is hiding at his aunt's.", db.session.get(User, volunteer.id))
        db.session.commit()
    for _ in range(4):
        assert client.get(f"/cases/{case_id}/notes").status_code == 200
    for url in (f"/cases/{case_id}/notes", f"/cases/{case_id}/notes?page=2", f"/cases/{case_id}"):
        refused = client.get(url)
        assert refused.status_code == 429, url
        assert "aunt" not in refused.get_data(as_text=True)


def test_a_refused_read_keeps_nothing_but_the_flag(app, volunteer_with_a_case):
    """The refused request wrote an audit row for the showing before it was refused: rolled back."""
    client, _volunteer, case_id, _document_id = volunteer_with_a_case
    for _ in range(4):
        client.get(f"/cases/{case_id}")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert client.get(f"/cases/{case_id}").status_code == 429
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before + 1


def test_coordinators_read_without_the_budget(app, signed_in, create_case):
    app.config["CASEWORK_VOLUNTEER_VIEWS_PER_HOUR"] = 2
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator)
    assert all(client.get(f"/cases/{case_id}").status_code == 200 for _ in range(5))
    assert flags(app, FLAG) == []


def test_flags_page_shows_who_when_and_how_many(app, signed_in, volunteer_with_a_case):
    client, volunteer, case_id, _document_id = volunteer_with_a_case
    for _ in range(6):
        client.get(f"/cases/{case_id}")
    coordinator, _ = signed_in("coordinator")
    page = coordinator.get("/audit/flags").get_data(as_text=True)
    assert volunteer.email in page
    volunteer_page = client.get("/audit/flags")
    assert volunteer_page.status_code == 404
