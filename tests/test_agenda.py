"""Deadlines that read right: a window that opens, a date to act before, a date to know; each kind
within its own horizon; old missed dates folded into one line per case."""

import re
from datetime import date, timedelta
from types import SimpleNamespace

from casework import clock
from casework.cases import agenda
from casework.cases.due import DueItem

TODAY = date(2026, 12, 2)


def case(case_id="c1", **deadlines):
    return SimpleNamespace(id=case_id, deadlines=[(kind, due) for kind, due in deadlines.items()])


def read(app, items, window=None):
    with app.app_context():
        return agenda.agenda(items, TODAY, window)


def test_an_open_extension_window_reads_open_until_the_expiry_not_overdue(app):
    expiry = TODAY + timedelta(days=40)
    person = case(permit_expiry=expiry, extension_window=expiry - timedelta(days=91))
    result = read(
        app, [DueItem(expiry - timedelta(days=91), "extension_window", person), DueItem(expiry, "permit_expiry", person)]
    )
    states = {entry.item.kind: (entry.state, entry.open_until) for entry in result.entries}
    assert states["extension_window"] == (agenda.OPEN, expiry)
    assert states["permit_expiry"] == (agenda.DUE, None)
    assert result.count(agenda.OVERDUE) == 0


def test_a_window_closes_with_its_expiry(app):
    expiry = TODAY - timedelta(days=2)
    person = case(permit_expiry=expiry)
    result = read(
        app, [DueItem(expiry - timedelta(days=91), "extension_window", person), DueItem(expiry, "permit_expiry", person)]
    )
    assert [(entry.item.kind, entry.state) for entry in result.entries] == [("permit_expiry", agenda.OVERDUE)]


def test_a_birthday_limit_is_information_and_never_overdue(app):
    person = case()
    result = read(
        app,
        [
            DueItem(TODAY + timedelta(days=20), "reserve_age_end", person),
            DueItem(TODAY - timedelta(days=5), "conscription_age_end", person),
        ],
    )
    assert [(entry.item.kind, entry.state) for entry in result.entries] == [("reserve_age_end", agenda.INFO)]


def test_each_kind_has_its_horizon(app):
    """A student's permit ending in six weeks is listed; sanctions six weeks away are not yet."""
    person = case()
    six_weeks = TODAY + timedelta(weeks=6)
    result = read(
        app,
        [
            DueItem(six_weeks, "permit_expiry", person),
            DueItem(six_weeks, "sanctions", person),
            DueItem(TODAY + timedelta(days=10), "sanctions", person),
        ],
    )
    assert sorted((entry.item.kind, entry.item.due_on) for entry in result.entries) == [
        ("permit_expiry", six_weeks),
        ("sanctions", TODAY + timedelta(days=10)),
    ]


def test_one_window_chosen_by_the_reader_applies_to_every_kind(app):
    person = case()
    result = read(
        app,
        [DueItem(TODAY + timedelta(days=60), "permit_expiry", person), DueItem(TODAY + timedelta(days=20), "sanctions", person)],
        window=30,
    )
    assert [entry.item.kind for entry in result.entries] == ["sanctions"]


def test_old_missed_dates_fold_into_one_line_per_case(app):
    first, second = case("c1"), case("c2")
    items = [
        DueItem(TODAY - timedelta(days=60), "sanctions", first),
        DueItem(TODAY - timedelta(days=45), "summons_served", first),
        DueItem(TODAY - timedelta(days=10), "sanctions", second),
    ]
    result = read(app, items)
    assert result.folded == {"c1": (2, first)}
    assert [(entry.item.case.id, entry.state) for entry in result.entries] == [("c2", agenda.OVERDUE)]


def test_horizons_are_configurable(app):
    app.config["CASEWORK_DEADLINE_HORIZONS"] = {"sanctions": 60}
    person = case()
    result = read(app, [DueItem(TODAY + timedelta(weeks=6), "sanctions", person)])
    assert len(result.entries) == 1


def test_the_home_page_shows_the_volunteers_own_next_deadlines_and_counts(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    create_case(by=volunteer, dutch_status="student", permit_expires_on=clock.today() + timedelta(weeks=6))
    page = client.get("/").get_data(as_text=True)
    assert "Your next deadlines" in page and "Sokolov" in page
    assert "Visa or permit expires" in page
    assert "<strong>1</strong> window open now" in page, "the extension window opened three months before the expiry"


def test_workload_counts_open_due_this_week_and_overdue_with_links(app, signed_in, make_user, create_case):
    client, coordinator = signed_in("coordinator")
    volunteer = make_user("volunteer")
    create_case(by=coordinator, assignee=volunteer, date_of_birth=None, permit_expires_on=clock.today() + timedelta(days=3))
    late = create_case(
        by=coordinator,
        assignee=volunteer,
        surname_latin="Orlov",
        phone="+79160000040",
        date_of_birth=None,
        permit_expires_on=clock.today() - timedelta(days=4),
    )
    create_case(
        by=coordinator,
        assignee=volunteer,
        surname_latin="Belov",
        phone="+79160000041",
        date_of_birth=None,
        permit_expires_on=None,
    )
    page = client.get("/cases/workload").get_data(as_text=True)
    row = page[page.index(volunteer.email) :].split("</tr>")[0]
    assert [int(number) for number in re.findall(r">(\d+)</a>", row)] == [3, 1, 1]
    overdue = client.get(f"/cases/?assignee={volunteer.id}&overdue=1").get_data(as_text=True)
    assert late in overdue and "Belov" not in overdue


def test_an_open_window_is_not_a_missed_deadline(app, signed_in, make_user, create_case, runner):
    """A student's extension window opened weeks ago: that is the moment to act, not a missed date,
    for the overdue filter, the workload and the digest alike."""
    client, coordinator = signed_in("coordinator")
    volunteer = make_user("volunteer")
    student = create_case(
        by=coordinator, assignee=volunteer, dutch_status="student", permit_expires_on=clock.today() + timedelta(weeks=6)
    )
    assert student not in client.get(f"/cases/?assignee={volunteer.id}&overdue=1").get_data(as_text=True)
    row = client.get("/cases/workload").get_data(as_text=True).split(volunteer.email)[1].split("</tr>")[0]
    assert [int(number) for number in re.findall(r">(\d+)</a>", row)] == [1, 0, 0]
    digest = runner.invoke(args=["deadlines", "digest", "--days", "60"]).output
    assert f"{volunteer.email}: 1 case with a deadline in the next 60 days; 0 cases with a deadline missed" in digest
