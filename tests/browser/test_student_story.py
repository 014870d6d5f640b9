"""The issue's student in Utrecht whose permit ends in six weeks: logged on the first call, the
permit on the case's Dutch part, and from then on on the volunteer's home page and the due list,
with the extension window reading "open until" the expiry, at desktop and phone width."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from casework import clock
from tests.browser.conftest import assert_accessible, page_width
from tests.browser.test_cases import sign_in

WIDTHS = [pytest.param({"width": 1280, "height": 900}, id="1280"), pytest.param({"width": 375, "height": 740}, id="375")]


@pytest.mark.parametrize("viewport", WIDTHS)
def test_a_student_whose_permit_ends_in_six_weeks(app, make_user, new_context, viewport):
    volunteer = make_user("volunteer")
    page = new_context(viewport=viewport).new_page()
    sign_in(app, page, volunteer, "Welcome, Volunteer")
    page.goto("/cases/new")
    page.get_by_label("The person agrees that the foundation stores their data").check()
    page.get_by_label("Surname (Latin script)").fill("Volkov")
    page.get_by_label("Given names (Latin script)").fill("Ilya")
    page.get_by_label("Telegram handle").fill("@ivolkov_utrecht")
    page.get_by_label("Where the person is now").select_option("netherlands")
    page.get_by_label("Stay extension").check()
    page.locator("summary", has_text="More about the person").click()
    page.get_by_label("City").fill("Utrecht")
    page.locator("summary", has_text="Status and dates in the Netherlands").click()
    page.get_by_label("Status in the Netherlands").select_option("student")
    expires = clock.today() + timedelta(weeks=6)
    page.get_by_label("Visa or permit expires on").fill(expires.isoformat())
    page.get_by_role("button", name="Save the case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Volkov Ilya")
    assert_accessible(page, "the student's case")

    page.goto("/")
    deadlines = page.get_by_role("region", name="Your next deadlines")
    expect(deadlines).to_contain_text("Volkov Ilya")
    expect(deadlines).to_contain_text("1 window open now")
    assert_accessible(page, "the home page with the student's deadline")

    page.goto("/cases/due")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Visa or permit expires")
    expect(table).to_contain_text("open until")
    assert page_width(page) <= viewport["width"] + 1
    assert_accessible(page, "the due list with the student's permit")
