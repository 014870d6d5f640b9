"""The issue's referral story in Chromium, on a desktop and on a phone: a volunteer logs a known man
again, this time with consent to share with a partner; the coordinator decides "same person"; the
case shows the combined consent and the referral succeeds; the person withdraws that consent and
the referral form is gone. axe-core on every page."""

import pytest
from playwright.sync_api import expect

from casework import jobs
from casework.extensions import db
from tests.browser.conftest import assert_accessible, page_width
from tests.browser.test_cases import sign_in


def fits(page, width: int, what: str) -> None:
    assert page_width(page) <= width + 1, f"{what} is wider than {width} px"


@pytest.mark.parametrize("width", [1280, 375])
def test_second_intake_same_person_referral_and_withdrawal(app, make_user, new_context, create_case, partner, width):
    volunteer, coordinator = make_user("volunteer"), make_user("coordinator")
    create_case(by=coordinator)  # Sokolov's first case: he agreed to share with nobody
    viewport = {"width": width, "height": 900}

    page = new_context(viewport=viewport).new_page()
    sign_in(app, page, volunteer, "Welcome, Volunteer")
    page.goto("/cases/new")
    assert_accessible(page, "the intake form")
    page.get_by_role("link", name="Help for volunteers", exact=False).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Help for volunteers")
    assert_accessible(page, "the volunteers' help")
    fits(page, width, "the help page")
    page.goto("/cases/new")
    page.get_by_label("The person agrees that the foundation stores their data").check()
    page.locator("summary", has_text="Consent to be contacted").click()
    page.get_by_label("Refugee Law Clinic").check()
    page.get_by_label("Surname (Latin script)").fill("Sokolow")
    page.get_by_label("Given names (Latin script)").fill("Dmitrij")
    page.get_by_label("Phone", exact=True).fill("+7 (916) 123-45-67")
    page.get_by_role("button", name="Save the case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sokolow Dmitrij")
    expect(page.get_by_text("May be shared with: Refugee Law Clinic.")).to_be_visible()
    assert_accessible(page, "the volunteer's new case")
    fits(page, width, "the case page")
    with app.app_context():
        assert jobs.run_queued() == 1
        db.session.remove()

    lead = new_context(viewport=viewport).new_page()
    sign_in(app, lead, coordinator, "Welcome, Coordinator")
    lead.goto("/cases/duplicates")
    assert_accessible(lead, "the duplicate queue")
    lead.get_by_role("link", name="Sokolow Dmitrij").click()
    lead.get_by_role("link", name="Check possible duplicate").click()
    assert_accessible(lead, "the duplicate decision")
    lead.get_by_label("Same person as Sokolov Dmitri / Соколов Дмитрий", exact=False).check()
    lead.get_by_role("button", name="Save the answer").click()
    expect(lead.get_by_text("The possible duplicate was resolved.")).to_be_visible()
    expect(lead.get_by_text("May be shared with: Refugee Law Clinic.")).to_be_visible()
    assert_accessible(lead, "the case after the same-person decision")
    fits(lead, width, "the case page")

    lead.get_by_label("Partner organisation").select_option(label="Refugee Law Clinic")
    lead.get_by_label("Purpose of the referral").fill("Legal advice on his mobilisation summons.")
    lead.get_by_role("button", name="Record referral").click()
    expect(lead.get_by_text("The referral was recorded.")).to_be_visible()
    expect(lead.get_by_text("Legal advice on his mobilisation summons.")).to_be_visible()

    lead.get_by_text("Record, renew or withdraw a consent").click()
    lead.get_by_label("Consent to").select_option(label="Sharing the case with Refugee Law Clinic")
    lead.get_by_label("The person", exact=True).select_option("withdrawn")
    lead.get_by_label("How the person said so").select_option("phone")
    lead.get_by_role("button", name="Record the decision").click()
    expect(lead.get_by_text("The person's decision on consent was recorded.")).to_be_visible()
    expect(lead.get_by_text("May be shared with: nobody.")).to_be_visible()
    expect(lead.get_by_role("button", name="Record referral")).to_have_count(0)
    expect(lead.get_by_text("Referral needs the person's consent to share with a partner.")).to_be_visible()
    assert_accessible(lead, "the case after the withdrawal")
    fits(lead, width, "the case page")


def test_the_reservists_first_call_is_short(app, make_user, new_context, partner):
    """The issue's reservist, logged from the keyboard: the Tab presses from the top of the intake to
    "Save the case", and the fields open on arrival, are printed and bounded."""
    volunteer = make_user("volunteer")
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(app, page, volunteer, "Welcome, Volunteer")
    page.goto("/cases/new")
    controls = page.locator("form.case-form :is(input, select, textarea):visible:not([type=hidden])")
    open_fields = len({controls.nth(index).get_attribute("name") for index in range(controls.count())})
    tabs = 0
    page.locator("h1").click()
    while page.evaluate("document.activeElement.textContent") != "Save the case":
        page.keyboard.press("Tab")
        tabs += 1
        assert tabs < 200, "the save button is not reachable by Tab"
    print(f"intake: {open_fields} fields open on arrival, {tabs} Tab presses from the heading to 'Save the case'")
    assert tabs <= 40
    assert open_fields <= 10, "the first call asks at most ten things (a group of checkboxes is one)"

    page.get_by_label("The person agrees that the foundation stores their data").check()
    page.locator("summary", has_text="Name in Cyrillic script").click()
    page.get_by_label("Surname (Cyrillic script)").fill("Ахметов")
    page.get_by_label("Telegram handle").fill("@akhmetov_serg")
    page.get_by_label("Where the person is now").select_option("kazakhstan")
    page.get_by_label("Legal advice").check()
    page.get_by_label("Military situation", exact=True).select_option("reservist")
    page.locator("summary", has_text="Military details").click()
    page.get_by_label("Rank group").select_option("soldier")
    page.get_by_role("button", name="Save the case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ахметов")
    expect(page.get_by_role("heading", name="What to ask next")).to_be_visible()
    expect(page.locator("#ask-next").get_by_role("link", name="Date of birth")).to_be_visible()
    assert_accessible(page, "the reservist's case")
