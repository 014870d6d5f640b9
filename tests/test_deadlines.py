"""Deadlines computed from a case's facts (domain.md, "Deadlines the system computes and shows"):
`deadlines.compute` at its boundaries, the "Due soon" page, the `deadlines digest` command, and the
coarse bands that let the lists find what is due while the dates stay encrypted (S20)."""

from datetime import date, timedelta
from types import SimpleNamespace
from unittest.mock import patch

import pytest
from babel.dates import format_date
from sqlalchemy import func, select, update

from casework import clock
from casework.cases import operations
from casework.cases.deadlines import BAND_LIMITS, EDGE_JITTER_DAYS, OVERDUE_DAYS, band, compute
from casework.cases.due import band_offsets
from casework.extensions import db
from casework.models import AuditEvent, Case, User

#: The case attributes `compute` reads; every test states only the facts it is about.
NO_FACTS = {
    "permit_expires_on": None,
    "dutch_status": None,
    "degree_completed_on": None,
    "contact_kinds": None,
    "summons_posted_on": None,
    "summons_appear_on": None,
    "rank_group": None,
    "reserve_category": None,
    "entry_on": None,
    "days_used": None,
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


# Short stay (90 days in any 180) ---------------------------------------------------------------


@pytest.mark.parametrize("status", ["schengen_visa", "visa_free"])
def test_short_stay_ends_by_the_90_180_rule(status):
    """Entered on 1 June 2025 with 10 days used in the 180 before: 80 days are left, so 19 August is
    the last day of the stay (domain.md: the days left follow from the entry and the days used)."""
    found = deadlines_of(dutch_status=status, entry_on=date(2025, 6, 1), days_used=10)
    assert found == {"short_stay_end": date(2025, 8, 19)}


def test_a_stay_can_end_before_the_visas_printed_end():
    """Both dates are shown, the stay's end first: it is the one to act before."""
    facts = {
        "dutch_status": "schengen_visa",
        "permit_expires_on": date(2025, 12, 31),
        "entry_on": date(2025, 6, 1),
        "days_used": 0,
    }
    found = compute(SimpleNamespace(**{**NO_FACTS, **facts}), None, None)
    assert found == [("short_stay_end", date(2025, 8, 29)), ("permit_expiry", date(2025, 12, 31))]


@pytest.mark.parametrize(
    "facts",
    [
        {"dutch_status": "schengen_visa", "entry_on": date(2025, 6, 1)},
        {"dutch_status": "schengen_visa", "days_used": 10},
        {"dutch_status": "student", "entry_on": date(2025, 6, 1), "days_used": 10},
        {"dutch_status": None, "entry_on": date(2025, 6, 1), "days_used": 10},
    ],
    ids=["days used unknown", "entry unknown", "residence permit", "status unknown"],
)
def test_no_short_stay_end_without_a_short_stay_or_both_facts(facts):
    """Without the days used the end could be any day up to 89 days after entry: no date is invented.
    A residence permit is not a short stay."""
    assert "short_stay_end" not in deadlines_of(**facts)


# Orientation year ----------------------------------------------------------------------------


def test_orientation_year_ends_three_years_after_the_degree():
    """The orientation year needs a degree completed within the last 3 years."""
    assert deadlines_of(degree_completed_on=date(2022, 6, 15)) == {"orientation_year_end": date(2025, 6, 15)}


def test_orientation_year_for_a_degree_on_29_february_ends_on_28_february():
    """Three years after 29 February 2024 there is no 29 February: the last day is the 28th, not 1 March."""
    assert deadlines_of(degree_completed_on=date(2024, 2, 29)) == {"orientation_year_end": date(2027, 2, 28)}


# Summons -------------------------------------------------------------------------------------


def test_summons_posted_in_the_register_is_served_seven_days_later():
    assert deadlines_of(contact_kinds="summons_register", summons_posted_on=date(2024, 3, 1))["summons_served"] == date(
        2024, 3, 8
    )


def test_summons_posted_in_the_register_across_a_month_end():
    assert deadlines_of(contact_kinds="summons_register", summons_posted_on=date(2024, 2, 26))["summons_served"] == date(
        2024, 3, 4
    )


def test_electronic_summons_is_served_when_posted():
    assert deadlines_of(contact_kinds="phone_call,summons_electronic", summons_posted_on=date(2024, 3, 1))[
        "summons_served"
    ] == date(2024, 3, 1)


@pytest.mark.parametrize("kind", ["summons_paper", "summons_registered_mail", "visit", "none", None])
def test_other_summons_have_no_computed_service_date(kind):
    """Only register and electronic summonses have a service date fixed by law."""
    assert "summons_served" not in deadlines_of(contact_kinds=kind, summons_posted_on=date(2024, 3, 1))


def test_sanctions_start_twenty_days_after_the_date_to_appear():
    assert deadlines_of(summons_appear_on=date(2024, 3, 15)) == {"sanctions": date(2024, 4, 4)}


def test_summons_deadlines_together_are_sorted_earliest_first():
    found = compute(
        SimpleNamespace(
            **{
                **NO_FACTS,
                "contact_kinds": "summons_register",
                "summons_posted_on": date(2024, 3, 1),
                "summons_appear_on": date(2024, 3, 20),
            }
        ),
        None,
        None,
    )
    assert found == [("summons_served", date(2024, 3, 8)), ("sanctions", date(2024, 4, 9))]


# Conscription age ----------------------------------------------------------------------------


def test_conscription_age_ends_the_day_before_the_30th_birthday_for_men():
    """From 1 January 2024 conscription runs until the day before the 30th birthday."""
    assert deadlines_of(date(1997, 2, 3), "M")["conscription_age_end"] == date(2027, 2, 2)


def test_conscription_age_of_a_man_who_turned_27_before_2024_ended_the_day_before_it():
    """A man who turned 27 before 2024 is not conscripted again: his conscription age ended the day
    before his 27th birthday."""
    assert deadlines_of(date(1994, 2, 3), "M")["conscription_age_end"] == date(2021, 2, 2)


def test_conscription_age_for_a_man_born_on_29_february():
    """His 30th birthday in 2030 falls on 28 February, so the last day is 27 February."""
    assert deadlines_of(date(2000, 2, 29), "M")["conscription_age_end"] == date(2030, 2, 27)


@pytest.mark.parametrize("sex", ["F", "X", None])
def test_no_conscription_age_for_women_or_unknown_sex(sex):
    assert "conscription_age_end" not in deadlines_of(date(1994, 2, 3), sex)


def test_no_age_deadlines_without_a_date_of_birth():
    found = deadlines_of(None, "M", rank_group="soldier", reserve_category="1")
    assert "conscription_age_end" not in found and "reserve_age_end" not in found


# Reserve age limits --------------------------------------------------------------------------

BORN = date(1980, 5, 10)

#: (rank group, the birthday on which the reserve ends) from 1 January 2024 for a man born in 1980.
MEN = [("soldier", 55), ("none", 55), ("junior_officer", 60), ("major", 65), ("colonel", 65), ("senior_officer", 70)]


@pytest.mark.parametrize("category", ["1", "2", "3", "unknown", None])
@pytest.mark.parametrize(("rank", "limit"), MEN)
def test_reserve_age_end_for_men_is_the_day_before_the_last_category_ends(rank, limit, category):
    """The reserve ends with the rank's last category, whatever category is recorded (the category
    follows from age and rank)."""
    found = deadlines_of(BORN, "M", rank_group=rank, reserve_category=category)
    assert found["reserve_age_end"] == date(1980 + limit, 5, 9)


@pytest.mark.parametrize(
    ("born", "last_day"),
    [
        (date(1973, 7, 1), date(2023, 6, 30)),  # turned 50 in 2023: left the reserve then
        (date(1974, 7, 1), date(2025, 6, 30)),  # turns 50 in 2024: until 51
        (date(1975, 7, 1), date(2027, 6, 30)),  # 2025: until 52
        (date(1976, 7, 1), date(2029, 6, 30)),  # 2026: until 53
        (date(1977, 7, 1), date(2031, 6, 30)),  # 2027: until 54
        (date(1978, 7, 1), date(2033, 6, 30)),  # from 2028: 55
    ],
)
def test_soldiers_reserve_age_end_follows_the_transition_by_birth_year(born, last_day):
    assert deadlines_of(born, "M", rank_group="soldier")["reserve_age_end"] == last_day


@pytest.mark.parametrize("rank", [None, "unknown"])
def test_no_reserve_deadline_without_a_rank(rank):
    """Without a recorded rank the reserve limit is not known (the rules then decide only where every
    rank agrees): no date is invented."""
    assert "reserve_age_end" not in deadlines_of(BORN, "M", rank_group=rank)


@pytest.mark.parametrize(
    ("rank", "limit"),
    [("soldier", 45), ("none", 45), ("junior_officer", 50), ("major", 50), ("colonel", 50), ("senior_officer", 50)],
)
@pytest.mark.parametrize("category", ["1", "2", "3", "unknown"])
def test_women_are_category_three_officers_to_50_others_to_45(rank, limit, category):
    found = deadlines_of(BORN, "F", rank_group=rank, reserve_category=category)
    assert found["reserve_age_end"] == date(1980 + limit, 5, 9)


def test_reserve_age_end_for_a_29_february_birthday():
    """Born 29 February 1984, a major's reserve ends on his 65th birthday, 28 February 2049: the last
    day is the 27th."""
    assert deadlines_of(date(1984, 2, 29), "M", rank_group="major")["reserve_age_end"] == date(2049, 2, 27)


# Through the web -----------------------------------------------------------------------------


def _row_of(html: str, name: str) -> str:
    """The table row of the "Due soon" page that names `name`."""
    rows = [row for row in html.split("<tr")[1:] if name in row]
    assert len(rows) == 1, f"expected one row for {name}, found {len(rows)}"
    return rows[0]


def test_due_page_shows_each_kind_within_its_horizon_or_one_chosen_window(signed_in, create_case):
    """Permits and visas are listed 90 days ahead, so both expiries show; a chosen window of 14 days
    applies to every kind and leaves out the one in 20 days."""
    client, volunteer = signed_in("volunteer")
    today = clock.today()
    create_case(
        by=volunteer,
        surname_latin="Tendayev",
        surname_cyrillic="Тендаев",
        date_of_birth=None,
        phone="+79160000010",
        permit_expires_on=today + timedelta(days=10),
    )
    create_case(
        by=volunteer,
        surname_latin="Twentyev",
        surname_cyrillic="Твентиев",
        date_of_birth=None,
        phone="+79160000020",
        permit_expires_on=today + timedelta(days=20),
    )

    page = client.get("/cases/due")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tendayev" in html and "Twentyev" in html
    assert "overdue" not in _row_of(html, "Tendayev")

    narrower = client.get("/cases/due?days=14").get_data(as_text=True)
    assert "Tendayev" in narrower and "Twentyev" not in narrower


def test_due_page_marks_an_overdue_deadline(signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    create_case(
        by=volunteer,
        surname_latin="Latov",
        surname_cyrillic="Латов",
        date_of_birth=None,
        permit_expires_on=clock.today() - timedelta(days=5),
    )
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
    expiry = clock.today() + timedelta(days=10)
    case_id = create_case(by=volunteer, date_of_birth=None, dutch_status="student", permit_expires_on=expiry)
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Visa or permit expires" in html
    assert "Extension window opens" in html


def test_a_short_stay_ending_soon_is_on_the_case_page_and_the_due_page(signed_in, create_case):
    """A visitor whose 90 days run out before the visa does: the stay's end is what the volunteer sees
    on the case and on "Due soon", since an extension must be asked before it (domain.md)."""
    client, volunteer = signed_in("volunteer")
    today = clock.today()
    case_id = create_case(
        by=volunteer,
        surname_latin="Ostayev",
        surname_cyrillic="Остаев",
        date_of_birth=None,
        dutch_status="schengen_visa",
        permit_expires_on=today + timedelta(days=200),
        entry_on=today - timedelta(days=80),
        days_used=0,
    )
    ends = today + timedelta(days=9)
    case_page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Short stay ends (90/180-day rule)" in case_page
    due = _row_of(client.get("/cases/due").get_data(as_text=True), "Ostayev")
    assert "Short stay ends (90/180-day rule)" in due
    assert format_date(ends, format="medium", locale="en") in due


# The digest command --------------------------------------------------------------------------


def test_deadline_digest_counts_cases_per_user_without_names(app, make_user, create_case, runner):
    """`deadlines digest`: one line per user with something due or missed, with the window it states
    and plural forms that agree; counts only, never a person's name."""
    busy, calm, idle = make_user("volunteer"), make_user("volunteer"), make_user("volunteer")
    coordinator = make_user("coordinator")
    soon = {"date_of_birth": None, "permit_expires_on": clock.today() + timedelta(days=3)}
    create_case(by=busy, surname_latin="Digestov", surname_cyrillic="Дайджестов", phone="+79160000030", **soon)
    create_case(by=busy, surname_latin="Digestova", surname_cyrillic="Дайджестова", phone="+79160000031", **soon)
    create_case(
        by=calm,
        surname_latin="Spokoinov",
        surname_cyrillic="Спокойнов",
        phone="+79160000032",
        date_of_birth=None,
        permit_expires_on=clock.today() - timedelta(days=5),
    )
    create_case(
        by=idle,
        surname_latin="Pozdnov",
        phone="+79160000034",
        date_of_birth=None,
        permit_expires_on=clock.today() + timedelta(days=40),
    )
    _close(app, create_case(by=coordinator, assignee=busy, surname_latin="Zakrytov", phone="+79160000033", **soon))

    result = runner.invoke(args=["deadlines", "digest"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert (
        f"{busy.email}: 2 cases with a deadline in the next 14 days; 0 cases with a deadline missed in the last 90 days" in lines
    )
    assert (
        f"{calm.email}: 0 cases with a deadline in the next 14 days; 1 case with a deadline missed in the last 90 days" in lines
    )
    assert not any(idle.email in line for line in lines), "nothing due in the window and nothing missed: no line"
    for marker in ("Digestov", "Дайджестов", "Spokoinov", "Спокойнов", "Zakrytov", "Pozdnov", "Sokolov", "Соколов", "+7916"):
        assert marker not in result.output


def test_deadline_digest_speaks_each_users_language(app, make_user, create_case, runner):
    reader = make_user("volunteer")
    with app.app_context():
        db.session.get(User, reader.id).locale = "ru"
        db.session.commit()
    create_case(by=reader, date_of_birth=None, permit_expires_on=clock.today() + timedelta(days=3))
    line = next(line for line in runner.invoke(args=["deadlines", "digest"]).output.splitlines() if reader.email in line)
    words = line.removeprefix(f"{reader.email}: ")
    assert "case with" not in words and "cases with" not in words and "1" in words, line


# Bands: the only plaintext trace of the deadlines (S20) -----------------------------------------

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("ahead", "expected"),
    [(-91, None), (-90, 0), (-1, 0), (0, 0), (31, 0), (32, 1), (92, 1), (93, 2), (4000, 2)],
)
def test_band_of_the_most_urgent_deadline(ahead, expected):
    assert band([("permit_expiry", TODAY + timedelta(days=ahead))], TODAY) == expected


def test_band_reads_the_earliest_deadline_not_long_overdue():
    found = [
        ("sanctions", TODAY - timedelta(days=200)),
        ("permit_expiry", TODAY + timedelta(days=60)),
        ("conscription_age_end", TODAY + timedelta(days=20)),
    ]
    assert band(found, TODAY) == 0
    assert band(found[:2], TODAY) == 1
    assert band([], TODAY) is None


def test_band_edge_offsets_move_the_edges_outwards_only():
    """Whatever a case's secret offsets, band b > 0 still promises no deadline from 90 days back to
    BAND_LIMITS[b - 1] days ahead, and no band promises none from 90 days back on: the lists rely on it."""
    moved = set()
    for later in range(0, EDGE_JITTER_DAYS, 3):
        for earlier in range(0, EDGE_JITTER_DAYS, 3):
            for ahead in range(-130, 200):
                found = [("permit_expiry", TODAY + timedelta(days=ahead))]
                number = band(found, TODAY, (later, earlier))
                if number is None:
                    assert ahead < -OVERDUE_DAYS
                elif number > 0:
                    assert ahead > BAND_LIMITS[number - 1]
                moved.add(number != band(found, TODAY))
    assert moved == {True, False}


def test_band_edge_offsets_are_secret_and_vary_from_case_to_case(app):
    """A keyed hash of the case id: spread over the range, and different under another index root."""
    ids = [f"case-{number}" for number in range(60)]
    with app.app_context():
        offsets = [band_offsets(case_id) for case_id in ids]
        with patch("casework.cases.due.current_keys") as other_keys:
            other_keys.return_value.index.current = bytes(32)
            others = [band_offsets(case_id) for case_id in ids]
    assert len({later for later, _ in offsets}) > 10 and len({earlier for _, earlier in offsets}) > 10
    assert all(0 <= value < EDGE_JITTER_DAYS for pair in offsets for value in pair)
    assert offsets != others


def _set_band(app, case_id: str, number: int | None, computed_on: date | None) -> None:
    """As if the band had been computed on another day and nothing had refreshed it since."""
    with app.app_context():
        db.session.execute(update(Case).where(Case.id == case_id).values(deadline_band=number, deadline_band_on=computed_on))
        db.session.commit()


def test_a_stale_band_still_finds_what_has_become_due(app, signed_in, create_case):
    """A permit expiring in 10 days, banded 50 days ago when it was 60 days off (band 1), with no
    refresh since: the list still shows it, because a band that old may hold a deadline by now."""
    client, volunteer = signed_in("volunteer")
    case_id = create_case(
        by=volunteer,
        surname_latin="Staryi",
        surname_cyrillic="Старый",
        date_of_birth=None,
        permit_expires_on=clock.today() + timedelta(days=10),
    )
    _set_band(app, case_id, 1, clock.today() - timedelta(days=50))
    assert "Staryi" in client.get("/cases/due").get_data(as_text=True)


def test_a_fresh_band_keeps_later_cases_out_without_decrypting_them(app, signed_in, create_case):
    """A case banded today as "later" is not read for a 14-day list: its encrypted deadlines are
    never decrypted (a broken ciphertext there would fail the page), yet a 365-day list reads it."""
    client, volunteer = signed_in("volunteer")
    case_id = create_case(
        by=volunteer,
        surname_latin="Pozdnov",
        surname_cyrillic="Позднов",
        date_of_birth=None,
        permit_expires_on=clock.today() + timedelta(days=200),
    )
    with app.app_context():
        assert db.session.get(Case, case_id).deadline_band == 2
        sealed = db.session.scalar(select(Case._deadline_list_sealed).where(Case.id == case_id))
        db.session.execute(
            update(Case).where(Case.id == case_id).values({Case._deadline_list_sealed: sealed[:-1] + bytes([sealed[-1] ^ 1])})
        )
        db.session.commit()
    assert client.get("/cases/due").status_code == 200
    assert client.get("/cases/due?days=365").status_code == 500


def test_refresh_fills_an_upgraded_database_and_is_idempotent(app, runner, make_user, create_case):
    """After the migration the encrypted deadlines and bands are empty; `deadlines refresh` fills
    them, and running it again changes nothing, not even the case's version (no edit form goes stale)."""
    volunteer = make_user("volunteer")
    case_id = create_case(by=volunteer, date_of_birth=None, permit_expires_on=clock.today() + timedelta(days=10))
    with app.app_context():
        db.session.execute(
            update(Case)
            .where(Case.id == case_id)
            .values({Case._deadline_list_sealed: None, Case.deadline_band: None, Case.deadline_band_on: None})
        )
        db.session.commit()
    first = runner.invoke(args=["deadlines", "refresh"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        case = db.session.get(Case, case_id)
        filled = (case.deadlines, case.deadline_band, case.deadline_band_on, case.version, case.updated_at)
    assert filled[:3] == ([("permit_expiry", clock.today() + timedelta(days=10))], 0, clock.today())
    assert runner.invoke(args=["deadlines", "refresh"]).exit_code == 0
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.deadlines, case.deadline_band, case.deadline_band_on, case.version, case.updated_at) == filled
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "deadlines_refreshed")) == 2


def test_refresh_moves_an_old_band_on(app, runner, make_user, create_case):
    case_id = create_case(by=make_user("volunteer"), date_of_birth=None, permit_expires_on=clock.today() + timedelta(days=10))
    _set_band(app, case_id, 1, clock.today() - timedelta(days=50))
    assert runner.invoke(args=["deadlines", "refresh"]).exit_code == 0
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.deadline_band, case.deadline_band_on) == (0, clock.today())


def test_erasure_clears_the_deadlines_and_the_band(app, make_user, create_case):
    coordinator = make_user("coordinator")
    case_id = create_case(by=coordinator, date_of_birth=None, permit_expires_on=clock.today() + timedelta(days=10))
    with app.app_context():
        case = db.session.get(Case, case_id)
        operations.erase(case, db.session.get(User, coordinator.id))
        db.session.commit()
        row = db.session.execute(
            select(Case._deadline_list_sealed, Case.deadline_band, Case.deadline_band_on).where(Case.id == case_id)
        ).one()
    assert tuple(row) == (None, None, None)


def test_case_list_puts_the_most_urgent_band_first_then_by_intake(signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    names = {"Bezsrokov": None, "Godov": 200, "Kvartalov": 75, "Srochnov": 5}  # bands none, 2, 1, 0 whatever the offsets
    for name, days in names.items():
        expiry = clock.today() + timedelta(days=days) if days is not None else None
        create_case(
            by=volunteer,
            surname_latin=name,
            surname_cyrillic=None,
            date_of_birth=None,
            phone=None,
            telegram=None,
            permit_expires_on=expiry,
        )
    html = client.get("/cases/").get_data(as_text=True)
    assert sorted(names, key=html.index) == ["Srochnov", "Kvartalov", "Godov", "Bezsrokov"]


def test_case_list_window_keeps_exactly_the_cases_with_a_deadline_in_it(signed_in, create_case):
    """The filter decrypts what the bands leave: 5 and 25 days are both band 0, only one is within 10 days."""
    client, volunteer = signed_in("volunteer")
    for name, days in {"Pyatov": 5, "Dvadtsatov": 25, "Proshlov": -5}.items():
        create_case(
            by=volunteer,
            surname_latin=name,
            surname_cyrillic=None,
            date_of_birth=None,
            phone=None,
            telegram=None,
            permit_expires_on=clock.today() + timedelta(days=days),
        )
    html = client.get("/cases/?window=10").get_data(as_text=True)
    assert "Pyatov" in html and "Dvadtsatov" not in html and "Proshlov" not in html
    assert "Dvadtsatov" in client.get("/cases/?window=30").get_data(as_text=True)


def test_due_page_pages_by_case_and_orders_dates_within_a_page(monkeypatch, signed_in, create_case):
    """A page decrypts only its own cases (PAGE_CASES of them); every due case is on some page."""
    monkeypatch.setattr("casework.cases.due.PAGE_CASES", 2)
    client, volunteer = signed_in("volunteer")
    for name, days in {"Pervov": 9, "Vtorov": 3, "Tretyakov": 6}.items():
        create_case(
            by=volunteer,
            surname_latin=name,
            surname_cyrillic=None,
            date_of_birth=None,
            phone=None,
            telegram=None,
            permit_expires_on=clock.today() + timedelta(days=days),
        )
    first = client.get("/cases/due").get_data(as_text=True)
    second = client.get("/cases/due?page=2").get_data(as_text=True)
    assert ("Pervov" in first, "Vtorov" in first, "Tretyakov" in first) == (True, True, False)
    assert first.index("Vtorov") < first.index("Pervov"), "within a page, earliest first"
    assert "Tretyakov" in second and "Pervov" not in second
    assert "page=2" in first
    assert client.get("/cases/due?page=" + "9" * 30).status_code == 200


def test_refresh_leaves_the_band_of_a_case_saved_while_it_ran(app, runner, monkeypatch, make_user, create_case):
    """A save during the refresh computed its own band from the new facts; the refresh, which read
    the older version, must not overwrite it."""
    from casework.cases import due

    case_id = create_case(by=make_user("volunteer"), date_of_birth=None, permit_expires_on=clock.today() + timedelta(days=200))
    computed = due.computed

    def saved_meanwhile(case):
        with db.engine.begin() as other:  # another request saves the case: new version, its own band
            other.execute(
                update(Case.__table__)
                .where(Case.__table__.c.id == case_id)
                .values(version=Case.__table__.c.version + 1, deadline_band=0)
            )
        return computed(case)

    monkeypatch.setattr(due, "computed", saved_meanwhile)
    assert runner.invoke(args=["deadlines", "refresh"]).exit_code == 0
    with app.app_context():
        assert db.session.get(Case, case_id).deadline_band == 0
