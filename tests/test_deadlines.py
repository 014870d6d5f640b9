"""Deadlines computed from a case's facts (domain.md, "Deadlines the system computes and shows"):
`deadlines.compute` at its boundaries, the "Due soon" page, and the `deadlines digest` command."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from casework.cases.deadlines import compute
from casework.extensions import db
from casework.models import Case

#: The case attributes `compute` reads; every test states only the facts it is about.
NO_FACTS = {
    "permit_expires_on": None,
    "dutch_status": None,
    "degree_completed_on": None,
    "summons_type": None,
    "summons_posted_on": None,
    "summons_appear_on": None,
    "rank_group": None,
    "reserve_category": None,
}


def deadlines_of(date_of_birth=None, sex=None, **facts) -> dict:
    """`compute` for a case with only `facts` known, as {kind: date}."""
    found = compute(SimpleNamespace(**{**NO_FACTS, **facts}), date_of_birth, sex)
    kinds = [kind for kind, _due in found]
    assert len(kinds) == len(set(kinds)), f"a kind of deadline appears twice: {found}"
    return dict(found)


def test_no_facts_give_no_deadlines():
    """Nothing known, nothing computed (no invented dates)."""
    assert compute(SimpleNamespace(**NO_FACTS), None, None) == []


# Visa and permit -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["student", "exchange_student", "researcher", "orientation_year", "work"])
def test_residence_permit_gives_expiry_and_extension_window_three_months_before(status):
    """A residence permit's extension can be filed from 3 months before expiry (domain.md)."""
    found = deadlines_of(dutch_status=status, permit_expires_on=date(2025, 9, 30))
    assert found == {"permit_expiry": date(2025, 9, 30), "extension_window": date(2025, 6, 30)}


def test_extension_window_at_the_end_of_a_month_is_the_last_day_three_months_earlier():
    """31 May minus 3 months is 28 February (29 in a leap year), never 3 March."""
    assert deadlines_of(dutch_status="student", permit_expires_on=date(2025, 5, 31))["extension_window"] == date(2025, 2, 28)
    assert deadlines_of(dutch_status="student", permit_expires_on=date(2028, 5, 31))["extension_window"] == date(2028, 2, 29)


@pytest.mark.parametrize("status", ["schengen_visa", "none", "asylum_pending", None])
def test_short_stay_visa_gives_expiry_but_no_extension_window(status):
    """A Schengen visa has no permit extension window: only its expiry, before which to act."""
    assert deadlines_of(dutch_status=status, permit_expires_on=date(2025, 9, 30)) == {"permit_expiry": date(2025, 9, 30)}


def test_student_without_an_expiry_date_has_no_permit_deadlines():
    assert deadlines_of(dutch_status="student") == {}


# Orientation year ----------------------------------------------------------------------------


def test_orientation_year_ends_three_years_after_the_degree():
    """The orientation year needs a degree completed within the last 3 years."""
    assert deadlines_of(degree_completed_on=date(2022, 6, 15)) == {"orientation_year_end": date(2025, 6, 15)}


def test_orientation_year_for_a_degree_on_29_february_ends_on_28_february():
    """Three years after 29 February 2024 there is no 29 February: the last day is the 28th, not 1 March."""
    assert deadlines_of(degree_completed_on=date(2024, 2, 29)) == {"orientation_year_end": date(2027, 2, 28)}


# Summons -------------------------------------------------------------------------------------


def test_summons_posted_in_the_register_is_served_seven_days_later():
    assert deadlines_of(summons_type="register", summons_posted_on=date(2024, 3, 1))["summons_served"] == date(2024, 3, 8)


def test_summons_posted_in_the_register_across_a_month_end():
    assert deadlines_of(summons_type="register", summons_posted_on=date(2024, 2, 26))["summons_served"] == date(2024, 3, 4)


def test_electronic_summons_is_served_when_posted():
    assert deadlines_of(summons_type="electronic", summons_posted_on=date(2024, 3, 1))["summons_served"] == date(2024, 3, 1)


@pytest.mark.parametrize("kind", ["paper", "registered_mail", "none", "unknown", None])
def test_other_summons_have_no_computed_service_date(kind):
    """Only register and electronic summonses have a service date fixed by law."""
    assert "summons_served" not in deadlines_of(summons_type=kind, summons_posted_on=date(2024, 3, 1))


def test_sanctions_start_twenty_days_after_the_date_to_appear():
    assert deadlines_of(summons_appear_on=date(2024, 3, 15)) == {"sanctions": date(2024, 4, 4)}


def test_summons_deadlines_together_are_sorted_earliest_first():
    found = compute(
        SimpleNamespace(**{**NO_FACTS, "summons_type": "register", "summons_posted_on": date(2024, 3, 1), "summons_appear_on": date(2024, 3, 20)}),
        None,
        None,
    )
    assert found == [("summons_served", date(2024, 3, 8)), ("sanctions", date(2024, 4, 9))]


# Conscription age ----------------------------------------------------------------------------


def test_conscription_age_ends_on_the_31st_birthday_for_men():
    """Conscription age is 18 to 30 from 1 January 2024: a man leaves it on his 31st birthday."""
    assert deadlines_of(date(1994, 2, 3), "M")["conscription_age_end"] == date(2025, 2, 3)


def test_conscription_age_for_a_man_born_on_29_february():
    assert deadlines_of(date(2000, 2, 29), "M")["conscription_age_end"] == date(2031, 2, 28)


@pytest.mark.parametrize("sex", ["F", "X", None])
def test_no_conscription_age_for_women_or_unknown_sex(sex):
    assert "conscription_age_end" not in deadlines_of(date(1994, 2, 3), sex)


def test_no_age_deadlines_without_a_date_of_birth():
    found = deadlines_of(None, "M", rank_group="soldier", reserve_category="1")
    assert "conscription_age_end" not in found and "reserve_age_end" not in found


# Reserve age limits --------------------------------------------------------------------------

BORN = date(1980, 5, 10)

#: (rank group, reserve category, age limit) from the law as amended in July 2023 (domain.md).
MEN = [
    ("soldier", "1", 40), ("soldier", "2", 50), ("soldier", "3", 55),
    ("junior_officer", "1", 50), ("junior_officer", "2", 55), ("junior_officer", "3", 60),
    ("major", "1", 55), ("major", "2", 60), ("major", "3", 65),
    ("colonel", "1", 60), ("colonel", "2", 65),
    ("senior_officer", "1", 65), ("senior_officer", "2", 70),
]  # fmt: skip


@pytest.mark.parametrize(("rank", "category", "limit"), MEN)
def test_reserve_age_end_for_men_by_rank_and_category(rank, category, limit):
    found = deadlines_of(BORN, "M", rank_group=rank, reserve_category=category)
    assert found["reserve_age_end"] == date(1980 + limit, 5, 10)


@pytest.mark.parametrize(("rank", "highest"), [("soldier", 55), ("junior_officer", 60), ("major", 65), ("colonel", 65), ("senior_officer", 70)])
@pytest.mark.parametrize("category", ["unknown", None])
def test_unknown_reserve_category_gives_the_highest_limit_of_the_rank(rank, highest, category):
    """With the category unknown, the latest date the person could still be called up is shown."""
    assert deadlines_of(BORN, "M", rank_group=rank, reserve_category=category)["reserve_age_end"] == date(1980 + highest, 5, 10)


@pytest.mark.parametrize(("rank", "limit"), [("soldier", 45), (None, 45), ("none", 45), ("junior_officer", 50), ("major", 50), ("colonel", 50), ("senior_officer", 50)])
@pytest.mark.parametrize("category", ["1", "2", "3", "unknown"])
def test_women_are_category_three_officers_to_50_others_to_45(rank, limit, category):
    found = deadlines_of(BORN, "F", rank_group=rank, reserve_category=category)
    assert found["reserve_age_end"] == date(1980 + limit, 5, 10)


def test_reserve_age_end_for_a_29_february_birthday():
    assert deadlines_of(date(1984, 2, 29), "M", rank_group="soldier", reserve_category="1")["reserve_age_end"] == date(2024, 2, 29)
    assert deadlines_of(date(1984, 2, 29), "M", rank_group="soldier", reserve_category="2")["reserve_age_end"] == date(2034, 2, 28)


# Through the web -----------------------------------------------------------------------------


def _row_of(html: str, name: str) -> str:
    """The table row of the "Due soon" page that names `name`."""
    rows = [row for row in html.split("<tr")[1:] if name in row]
    assert len(rows) == 1, f"expected one row for {name}, found {len(rows)}"
    return rows[0]


def test_due_page_shows_deadlines_within_the_default_window_of_14_days(signed_in, create_case):
    """A visa expiring in 10 days is due soon; one expiring in 20 days is not, until the window is 30 days."""
    client, volunteer = signed_in("volunteer")
    today = date.today()
    create_case(by=volunteer, surname_latin="Tendayev", surname_cyrillic="Тендаев", date_of_birth=None, phone="+79160000010", permit_expires_on=today + timedelta(days=10))
    create_case(by=volunteer, surname_latin="Twentyev", surname_cyrillic="Твентиев", date_of_birth=None, phone="+79160000020", permit_expires_on=today + timedelta(days=20))

    page = client.get("/cases/due")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tendayev" in html
    assert "Twentyev" not in html
    assert "overdue" not in _row_of(html, "Tendayev")

    wider = client.get("/cases/due?days=30").get_data(as_text=True)
    assert "Tendayev" in wider and "Twentyev" in wider


def test_due_page_marks_an_overdue_deadline(signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    create_case(by=volunteer, surname_latin="Latov", surname_cyrillic="Латов", date_of_birth=None, permit_expires_on=date.today() - timedelta(days=5))
    html = client.get("/cases/due").get_data(as_text=True)
    assert "overdue" in _row_of(html, "Latov")


def _close(app, case_id: str) -> None:
    with app.app_context():
        db.session.get(Case, case_id).status = "closed"
        db.session.commit()


def test_due_page_leaves_out_closed_cases(app, signed_in, create_case):
    """Only open cases need action."""
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, surname_latin="Zakrytov", surname_cyrillic="Закрытов", date_of_birth=None)
    assert "Zakrytov" in client.get("/cases/due").get_data(as_text=True)
    _close(app, case_id)
    assert "Zakrytov" not in client.get("/cases/due").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/cases/due?days=99999999", "/cases/?window=99999999"])
def test_a_window_beyond_the_calendar_is_refused_or_clamped_not_a_server_error(signed_in, create_case, url):
    """The window comes from the address bar: a huge number must not reach date arithmetic unchecked."""
    client, volunteer = signed_in("volunteer")
    create_case(by=volunteer)
    assert client.get(url).status_code in (200, 400)


def test_case_page_lists_its_deadlines(signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    expiry = date.today() + timedelta(days=10)
    case_id = create_case(by=volunteer, date_of_birth=None, dutch_status="student", permit_expires_on=expiry)
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Visa or permit expires" in html
    assert "Extension window opens" in html


# The digest command --------------------------------------------------------------------------


def test_deadline_digest_counts_cases_per_user_without_names(app, make_user, create_case, runner):
    """`deadlines digest`: one line per user with open cases, "<email>: <n> cases with deadlines in the
    next <days> days"; counts only, never a person's name."""
    busy, calm, idle = make_user("volunteer"), make_user("volunteer"), make_user("volunteer")
    coordinator = make_user("coordinator")
    soon = {"date_of_birth": None, "permit_expires_on": date.today() + timedelta(days=3)}
    create_case(by=busy, surname_latin="Digestov", surname_cyrillic="Дайджестов", phone="+79160000030", **soon)
    create_case(by=busy, surname_latin="Digestova", surname_cyrillic="Дайджестова", phone="+79160000031", **soon)
    create_case(by=calm, surname_latin="Spokoinov", surname_cyrillic="Спокойнов", phone="+79160000032", date_of_birth=None, permit_expires_on=date.today() + timedelta(days=40))
    _close(app, create_case(by=coordinator, assignee=busy, surname_latin="Zakrytov", phone="+79160000033", **soon))

    result = runner.invoke(args=["deadlines", "digest"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert f"{busy.email}: 2 cases with deadlines in the next 14 days" in lines
    assert f"{calm.email}: 0 cases with deadlines in the next 14 days" in lines
    assert not any(idle.email in line for line in lines), "a user without open cases got a line"
    for marker in ("Digestov", "Дайджестов", "Spokoinov", "Спокойнов", "Zakrytov", "Sokolov", "Соколов", "+7916"):
        assert marker not in result.output
