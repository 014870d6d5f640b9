"""A day's work in Chromium: a volunteer logs a case, sees its deadline, another volunteer cannot
reach it, a coordinator reassigns it (S14); every page checked with axe-core."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from casework import clock
from tests.browser.conftest import assert_accessible, expect_home, page_width, submit_code_in_browser, submit_password_in_browser
from tests.conftest import PASSWORD, totp_code


def sign_in(app, page, user, heading):
    page.goto("/login")
    submit_password_in_browser(page, user.email, PASSWORD)
    submit_code_in_browser(page, totp_code(app, user))
    expect_home(page, heading)


def test_volunteer_logs_a_case_a_colleague_cannot_see_until_a_coordinator_reassigns_it(app, make_user, new_context):
    first, second, coordinator = make_user("volunteer"), make_user("volunteer"), make_user("coordinator")
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(app, page, first, "Welcome, Volunteer")

    page.get_by_role("link", name="New case", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New case")
    assert_accessible(page, "the intake form")
    page.get_by_role("button", name="Save the case").click()
    expect(page.get_by_role("alert").first).to_contain_text("Some answers need attention")
    page.get_by_label("The person agrees that the foundation stores their data").check()
    page.locator("summary", has_text="Name in Cyrillic script").click()
    page.get_by_label("Surname (Cyrillic script)").fill("Кузнецов")
    page.get_by_label("Given names (Cyrillic script)").fill("Алексей")
    page.get_by_label("Telegram handle").fill("@kuznetsov93")
    page.locator("summary", has_text="More about the person").click()
    page.get_by_label("Date of birth").fill("1993-04-12")
    page.get_by_label("Sex").select_option("M")
    page.get_by_label("Where the person is now").select_option("netherlands")
    page.locator("summary", has_text="Status and dates in the Netherlands").click()
    page.get_by_label("Status in the Netherlands").select_option("schengen_visa")
    expires = clock.today() + timedelta(days=10)
    page.get_by_label("Visa or permit expires on").fill(expires.isoformat())
    page.get_by_label("Stay extension").check()
    page.locator("summary", has_text="Story").click()
    page.get_by_label("The person's story").fill("Left Russia after a mobilisation summons.")
    page.get_by_role("button", name="Save the case").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Кузнецов Алексей")
    case_url = page.url
    assert re.search(r"/cases/[0-9a-f-]{36}$", case_url), case_url
    expect(page.locator("ul.deadlines").get_by_text("Visa or permit expires")).to_be_visible()
    assert_accessible(page, "the case page")
    assert page_width(page) <= 391, "the case page fits a phone"

    page.get_by_role("link", name="Due soon", exact=True).first.click()
    row = page.get_by_role("row").filter(has_text="Кузнецов")
    expect(row).to_contain_text("Visa or permit expires")
    assert_accessible(page, "the due-soon dashboard")

    colleague = new_context().new_page()
    sign_in(app, colleague, second, "Welcome, Volunteer")
    response = colleague.goto(case_url)
    assert response.status == 404, "another volunteer's case does not exist for them (S14)"
    colleague.goto("/cases/")
    expect(colleague.get_by_text("Кузнецов")).to_have_count(0)

    lead = new_context().new_page()
    sign_in(app, lead, coordinator, "Welcome, Coordinator")
    lead.goto(case_url)
    lead.get_by_label("Assign to").select_option(label=second.email)
    lead.get_by_role("button", name="Assign", exact=True).click()
    expect(lead.get_by_text("The case was assigned.")).to_be_visible()
    expect(lead.get_by_text(f"Assigned to: {second.email}")).to_be_visible()
    assert_accessible(lead, "the case page as seen by a coordinator")
    lead.goto("/cases/workload")
    assert_accessible(lead, "the workload page")
    lead.goto("/audit/")
    assert_accessible(lead, "the audit trail")

    assert colleague.goto(case_url).status == 200, "the new assignee can now open the case"
    assert page.goto(case_url).status == 404, "the first volunteer no longer can"
