"""A coordinator's week, at desktop and phone width, every page checked by axe and by width: the home
page's deadlines, the unassigned queue and assigning, the workload with its links, the due list with
an open window and an overdue date, and the summary to print for a partner."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from casework import clock
from casework.cases import operations
from casework.extensions import db
from casework.models import Partner, User
from tests.browser.conftest import assert_accessible, page_width
from tests.browser.test_cases import sign_in
from tests.factories import INTAKE

WIDTHS = [pytest.param({"width": 1280, "height": 900}, id="1280"), pytest.param({"width": 375, "height": 740}, id="375")]


def checked(page, what: str, width: int) -> None:
    assert page_width(page) <= width + 1, f"{what} is wider than {width} px"
    assert_accessible(page, f"{what} at {width} px")


@pytest.fixture
def week(app, make_user):
    """A student whose permit ends in six weeks (unassigned), a man whose summons date passed (his
    sanctions started ten days ago) referred to a partner, and a volunteer to give work to."""
    coordinator, volunteer = make_user("coordinator"), make_user("volunteer")
    today = clock.today()
    with app.app_context():
        actor = db.session.get(User, coordinator.id)
        partner = Partner(name="Refugee Law Clinic Utrecht")
        db.session.add(partner)
        db.session.flush()
        student = operations.create_case(
            {**INTAKE, "surname_latin": "Volkov", "surname_cyrillic": "Волков", "phone": "+79160000051", "telegram": None,
             "location": "netherlands", "dutch_status": "student", "permit_expires_on": today + timedelta(weeks=6)}, actor)  # fmt: skip
        late = operations.create_case(
            {**INTAKE, "consent_partners": [partner.id],
                "consent_contact": False, "surname_latin": "Orlov", "surname_cyrillic": "Орлов", "phone": "+79160000052",
             "telegram": None, "location": "russia", "dutch_status": None, "permit_expires_on": None,
             "summons_appear_on": today - timedelta(days=30)}, actor)  # fmt: skip
        late.assignee_id = volunteer.id
        referral = operations.refer(late, partner, "Legal advice on leaving Russia", actor)
        db.session.commit()
        return {
            "coordinator": coordinator,
            "volunteer": volunteer,
            "student": student.id,
            "late": late.id,
            "referral": referral.id,
        }


@pytest.mark.parametrize("viewport", WIDTHS)
def test_a_coordinators_week(app, new_context, week, viewport):
    width = viewport["width"]
    page = new_context(viewport=viewport).new_page()
    sign_in(app, page, week["coordinator"], "Welcome, Coordinator")
    home = page.get_by_role("region", name="Your next deadlines")
    expect(home).to_contain_text("Volkov")
    expect(home).to_contain_text("1 window open now")
    expect(home).to_contain_text("overdue")
    checked(page, "the home page", width)

    page.goto("/cases/unassigned")
    row = page.get_by_role("row").filter(has_text="Volkov")
    row.get_by_role("combobox").select_option(label=week["volunteer"].email)
    row.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("The case was assigned.")).to_be_visible()
    checked(page, "the unassigned queue", width)

    page.goto("/cases/workload")
    load = page.get_by_role("row").filter(has_text=week["volunteer"].email)
    expect(load).to_contain_text("2")
    checked(page, "the workload", width)
    load.get_by_role("link").last.click()
    expect(page.get_by_role("table")).to_contain_text("Orlov")
    expect(page.get_by_role("table")).not_to_contain_text("Volkov")
    checked(page, "the volunteer's overdue cases", width)

    page.goto("/cases/due")
    due = page.get_by_role("table")
    expect(due.get_by_role("row").filter(has_text="Volkov").first).to_contain_text("open until")
    expect(due.get_by_role("row").filter(has_text="Orlov").first).to_contain_text("overdue")
    checked(page, "the due list", width)

    page.goto(f"/cases/{week['late']}/referrals/{week['referral']}/print")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Refugee Law Clinic Utrecht")
    expect(page.locator("main")).not_to_contain_text("+79160000052")
    checked(page, "the print view", width)
