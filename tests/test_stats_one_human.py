"""One record, one contribution (casework/stats/contributors.py): a human logged twice and joined into
one record by a coordinator's "same person" changes each published table by at most one, within a
quarter and across quarters, whichever release comes first; the quarter a release counts a record
in is fixed; and whether a record counts never depends on anyone else's records.

Tables are compared as a release computes them, with the noise switched off (reconciliation keeps
consistent counts as they are): the base population alone, and the same with one human more.
"""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from casework.cases import operations as case_operations
from casework.extensions import db
from casework.models import Case, CountedPerson, LedgerEntry, Release, User
from casework.stats import operations, privacy
from casework.stats.catalogue import CATALOGUE
from tests.factories import INTAKE
from tests.test_stats import IN_Q2, IN_Q3, Q2, Q3, add_people, identity_noise, own_identifiers, publish, true_counts


@pytest.fixture
def staff(make_user):
    return {"admin": make_user("admin"), "coordinator": make_user("coordinator")}


@pytest.fixture
def exact(monkeypatch):
    monkeypatch.setattr(privacy, "add_noise", identity_noise)


def base_population(app, coordinator: User) -> None:
    """A dozen people in each of two quarters, with varied facts and identifiers of their own."""
    for when in (IN_Q2, IN_Q3):
        add_people(app, coordinator, 5, when)
        add_people(app, coordinator, 4, when, sex="F", location="russia", date_of_birth=date(1975, 5, 5))
        add_people(app, coordinator, 3, when, sex=None, location=None, date_of_birth=None)


def log_again(app, coordinator: User, first: dict, when: datetime, **facts) -> str:
    """The same human logged as a new record (as a volunteer's intake does), with other facts:
    flagged as a possible duplicate, not resolved. Returns the new case's id."""
    with app.app_context():
        author = db.session.get(User, coordinator.id)
        case = case_operations.create_case({**INTAKE, **first, **facts}, author)
        case.created_at = when
        case_operations.refresh_coded_facts(case)
        case.possible_duplicate = True
        db.session.commit()
        return case.id


def same_person(app, coordinator: User, case_id: str, person_id: str) -> None:
    """The coordinator decides that the flagged case's record is `person_id` logged again."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        case_operations.resolve_duplicate(case, person_id, db.session.get(User, coordinator.id))
        db.session.commit()


def released(app, staff, periods) -> dict[str, dict[str, list[int]]]:
    """Each period released in this order (noise off): its tables as published, by table id."""
    return {
        period: {table_id: values["reconciled"] for table_id, values in publish(app, period, staff["admin"])[1].items()}
        for period in periods
    }


def change_per_table(base: dict, more: dict) -> dict[str, int]:
    """Over all periods, how much each table moved (sum of absolute cell differences)."""
    return {
        table.id: sum(abs(a - b) for period in base for a, b in zip(base[period][table.id], more[period][table.id], strict=True))
        for table in CATALOGUE
    }


def base_tables(app, periods) -> dict:
    return {period: true_counts(app, period) for period in periods}


def test_the_same_human_logged_twice_in_one_quarter_counts_once_joined(app, staff, exact):
    base_population(app, staff["coordinator"])
    base = base_tables(app, (Q3,))
    first = {**own_identifiers(), "sex": "M", "location": "netherlands", "date_of_birth": date(1990, 4, 4)}
    ((_case, person),) = add_people(app, staff["coordinator"], 1, IN_Q3, **first)
    again = log_again(
        app,
        staff["coordinator"],
        first,
        datetime(2026, 9, 1),
        location="russia",
        sex="F",
        phone=first["phone"],
        surname_latin="Other",
    )
    assert true_counts(app, Q3)["total"] == [base[Q3]["total"][0] + 2], "two records until a coordinator joins them"
    same_person(app, staff["coordinator"], again, person)
    more = released(app, staff, (Q3,))
    assert more[Q3]["total"] == [base[Q3]["total"][0] + 1]
    assert all(change <= 1 for change in change_per_table(base, more).values()), change_per_table(base, more)


@pytest.mark.parametrize("order", [(Q2, Q3), (Q3, Q2)])
def test_the_same_human_logged_in_two_quarters_counts_once_joined(app, staff, exact, order):
    """Whichever quarter is released first, the joined record counts once, in the quarter of the first intake."""
    base_population(app, staff["coordinator"])
    base = base_tables(app, order)
    first = {**own_identifiers(), "sex": "M", "location": "schengen", "date_of_birth": date(1980, 4, 4)}
    ((_case, person),) = add_people(app, staff["coordinator"], 1, IN_Q2, **first)
    again = log_again(app, staff["coordinator"], first, IN_Q3, location="russia", telegram="@other", surname_latin="Other")
    same_person(app, staff["coordinator"], again, person)
    more = released(app, staff, order)
    changes = change_per_table(base, more)
    assert all(change <= 1 for change in changes.values()), changes
    assert more[Q2]["total"] == [base[Q2]["total"][0] + 1] and more[Q3]["total"] == base[Q3]["total"]


def test_a_record_joined_after_its_first_quarter_was_released_does_not_count_again(app, staff, exact):
    base_population(app, staff["coordinator"])
    base = base_tables(app, (Q2, Q3))
    first = {**own_identifiers(), "location": "schengen"}
    ((_case, person),) = add_people(app, staff["coordinator"], 1, IN_Q2, **first)
    more = released(app, staff, (Q2,))
    again = log_again(app, staff["coordinator"], first, IN_Q3, location="russia", surname_latin="Other", telegram="@other")
    same_person(app, staff["coordinator"], again, person)
    more.update(released(app, staff, (Q3,)))
    changes = change_per_table(base, more)
    assert all(change <= 1 for change in changes.values()), changes


def test_a_duplicate_linked_and_resolved_after_a_release_does_not_move_the_count(app, staff, exact):
    """The human's later record is counted in 2026Q3 while nothing links it to the earlier one; then
    a coordinator corrects its phone, which links them, and resolves them as one person: the case of
    2026Q2 moves to the record counted in 2026Q3, whose first intake is now in 2026Q2. Releasing
    2026Q2 does not count him again, and the stored quarter stays 2026Q3."""
    base_population(app, staff["coordinator"])
    base = base_tables(app, (Q3, Q2))
    earlier = {**own_identifiers(), "location": "russia"}
    ((q2_case, _q2_person),) = add_people(app, staff["coordinator"], 1, IN_Q2, **earlier)
    ((_q3_case, q3_person),) = add_people(app, staff["coordinator"], 1, IN_Q3, location="netherlands")
    more = released(app, staff, (Q3,))
    with app.app_context():
        stored = dict(db.session.execute(select(CountedPerson.person_id, CountedPerson.period)).all())
        assert stored[q3_person] == Q3
        coordinator = db.session.get(User, staff["coordinator"].id)
        case = db.session.get(Case, q2_case)
        case_operations.update_case(case, {"phone": "+79160000001"}, case.version, coordinator)
        later = db.session.scalar(select(Case).where(Case.person_id == q3_person))
        case_operations.update_case(later, {"phone": "+79160000001"}, later.version, coordinator)
        db.session.flush()
        case_operations.resolve_duplicate(db.session.get(Case, q2_case), q3_person, coordinator)
        db.session.commit()
        assert db.session.get(Case, q2_case).person_id == q3_person
    more.update(released(app, staff, (Q2,)))
    changes = change_per_table(base, more)
    assert all(change <= 1 for change in changes.values()), changes
    with app.app_context():
        assert db.session.get(CountedPerson, q3_person).period == Q3


def test_people_who_share_no_identifier_each_count(app, staff):
    add_people(app, staff["coordinator"], 12, IN_Q3)
    assert true_counts(app, Q3)["total"] == [12]


def test_whether_a_record_counts_does_not_depend_on_who_else_is_recorded(app, staff):
    """Two men with one name and year of birth, the later flagged as a possible duplicate of the
    earlier: two records, counted as two, flagged or not. Counting flagged records as one made a
    record's counting depend on someone else's (tests/test_api_and_statistics_seams.py)."""
    namesake = {"surname_latin": "Kuznetsov", "surname_cyrillic": "Кузнецов", "date_of_birth": date(1995, 1, 1)}
    add_people(app, staff["coordinator"], 1, IN_Q3, **namesake)
    later = log_again(app, staff["coordinator"], {**own_identifiers(), **namesake}, datetime(2026, 9, 1))
    assert true_counts(app, Q3)["total"] == [2]
    with app.app_context():
        db.session.get(Case, later).possible_duplicate = False
        db.session.commit()
    assert true_counts(app, Q3)["total"] == [2]


def test_a_release_that_fails_after_fixing_the_quarters_fixes_none(app, staff, monkeypatch):
    """The quarters go in by COPY on PostgreSQL, beside the ORM; they are still part of the release's
    one transaction: a release that fails after storing them (here while adding noise) leaves no
    quarter fixed, no budget spent and no release, and the next attempt counts everyone."""
    people = add_people(app, staff["coordinator"], 3, IN_Q3)

    stored_before_the_failure = []

    def failing_noise(counts, epsilon):
        stored_before_the_failure.append(db.session.scalar(select(func.count()).select_from(CountedPerson)))
        raise RuntimeError("noise failed")

    monkeypatch.setattr(privacy, "add_noise", failing_noise)
    with app.app_context(), pytest.raises(RuntimeError, match="noise failed"):
        try:
            operations.publish(operations.request_release(Q3, None), db.session.get(User, staff["admin"].id))
        finally:
            db.session.rollback()
    assert stored_before_the_failure == [3]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CountedPerson)) == 0
        assert db.session.scalars(select(LedgerEntry)).all() == [] and db.session.scalars(select(Release)).all() == []
    monkeypatch.setattr(privacy, "add_noise", identity_noise)
    _content, internal = publish(app, Q3, staff["admin"])
    assert internal["total"]["reconciled"] == [3]
    with app.app_context():
        assert set(db.session.scalars(select(CountedPerson.person_id))) == {person for _case, person in people}
