"""Search by name with a surname alone, exact, in either script; narrowing when too many match."""

from datetime import date

from casework.cases import operations
from tests.conftest import csrf_from
from tests.factories import INTAKE


def search(client, **fields):
    page = client.get("/cases/search").get_data(as_text=True)
    return client.post("/cases/search", data={"csrf_token": csrf_from(page), "field": "name", **fields}).get_data(as_text=True)


def test_a_surname_alone_finds_the_person_in_either_script(app, signed_in, create_case):
    client, coordinator = signed_in("coordinator")
    create_case(by=coordinator)  # Sokolov / Соколов Dmitri, born 1994
    create_case(
        by=coordinator,
        surname_latin="Orlov",
        surname_cyrillic="Орлов",
        phone="+79160000002",
        telegram=None,
        date_of_birth=date(1980, 5, 5),
    )
    for spelled in ("Sokolov", "Соколов", "sokolov"):
        page = search(client, value=spelled)
        assert "Sokolov Dmitri" in page and "Orlov" not in page, spelled


def test_a_surname_alone_does_not_find_other_surnames_or_unknown_ones(app, signed_in, create_case):
    client, coordinator = signed_in("coordinator")
    create_case(by=coordinator)
    assert "Sokolov Dmitri" not in search(client, value="Sokolova")
    assert "Sokolov Dmitri" not in search(client, value="Ivanov")


def test_too_many_matches_ask_to_narrow(app, signed_in, create_case, monkeypatch):
    monkeypatch.setattr(operations, "SEARCH_LIMIT", 2)
    client, coordinator = signed_in("coordinator")
    for number in range(3):
        create_case(
            by=coordinator,
            given_names_latin=["Ivan", "Pavel", "Oleg"][number],
            given_names_cyrillic=None,
            phone=f"+7916000001{number}",
            telegram=None,
        )
    page = search(client, value="Sokolov")
    assert "narrow the search" in page
    assert "narrow the search" not in search(client, value="Sokolov", given_names="Pavel")


def test_a_volunteer_finds_only_their_own_cases_by_surname(app, signed_in, make_user, create_case):
    create_case(by=make_user("coordinator"))
    client, volunteer = signed_in("volunteer")
    mine = create_case(by=volunteer, given_names_latin="Pavel", given_names_cyrillic=None, phone="+79160000009", telegram=None)
    page = search(client, value="Sokolov")
    assert mine in page and "Dmitri" not in page


def test_new_this_week_lists_every_recent_intake_for_coordinators(app, signed_in, make_user, create_case):
    from datetime import timedelta

    from casework.clock import utcnow
    from casework.extensions import db
    from casework.models import Case

    volunteer = make_user("volunteer")
    recent = create_case(by=volunteer)
    old = create_case(by=volunteer, surname_latin="Orlov", phone="+79160000003", telegram=None)
    with app.app_context():
        db.session.get(Case, old).created_at = utcnow() - timedelta(days=8)
        db.session.commit()
    client, _ = signed_in("coordinator")
    page = client.get("/cases/new-this-week").get_data(as_text=True)
    assert recent in page and old not in page


def test_a_volunteers_search_decrypts_no_one_they_may_not_see(app, signed_in, make_user, create_case, monkeypatch):
    """S21: a search's work, and so its time, depends only on people the reader may see: a namesake
    or a shared phone in someone else's case is never decrypted for a volunteer."""
    from casework.people import search as people_search

    create_case(by=make_user("coordinator"))  # Sokolov, +79161234567, not this volunteer's
    client, volunteer = signed_in("volunteer")
    mine = create_case(by=volunteer, surname_latin="Orlov", surname_cyrillic="Орлов", phone="+79160000077", telegram=None)
    decrypted = []
    original = people_search.index_values
    monkeypatch.setattr(people_search, "index_values", lambda person: decrypted.append(person.id) or original(person))
    for fields in ({"value": "Sokolov"}, {"field": "phone", "value": "+79161234567"}, {"value": "Orlov"}):
        page = client.get("/cases/search").get_data(as_text=True)
        client.post("/cases/search", data={"csrf_token": csrf_from(page), "field": "name", **fields})
    with app.app_context():
        from casework.extensions import db
        from casework.models import Case

        own_person = db.session.get(Case, mine).person_id
    assert set(decrypted) == {own_person}, "only the volunteer's own person was decrypted"


def test_identifiers_nobody_has_read_the_index_only(app, signed_in, create_case):
    """An intake checks a new person against everyone: with no candidate in the index, no person is
    read (nor decrypted), and a match is still found when there is one."""
    from casework.people.search import find_people
    from tests.statements import statements_during

    _, coordinator = signed_in("coordinator")
    create_case(by=coordinator)  # Sokolov Dmitri, +79161234567 in tests/factories.INTAKE
    found = []

    def look(phone: str):
        def send():
            with app.app_context():
                found.append([match.matched_on for match in find_people(phone=phone)])

        return statements_during(app, send)

    unknown = look("+79169999999")
    known = look(INTAKE["phone"])
    assert found == [[], [["phone"]]]
    assert len(unknown) == 1 and "blind_indexes" in unknown[0]
    assert len(known) == 2 and "persons" in known[1]
