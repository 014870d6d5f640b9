"""Every page, as each role that may open it, at 375 px: nothing wider than the screen, actions
visible, no serious accessibility finding. The pages come from the URL map and the capability
table, so a new page is checked as soon as it exists."""

import re

import pytest
from playwright.sync_api import expect

from casework.config import LOCALES
from casework.extensions import db
from casework.models import Case
from casework.permissions import ROLE_CAPABILITIES
from tests.browser.conftest import assert_accessible, expect_home, page_width, submit_code_in_browser, submit_password_in_browser
from tests.conftest import PASSWORD, totp_code
from tests.routes import pages

PHONE = {"width": 375, "height": 740}
HOME_HEADINGS = {
    "volunteer": "Welcome, Volunteer",
    "coordinator": "Welcome, Coordinator",
    "advocate": "Welcome, Advocate",
    "admin": "Welcome, Administrator",
}


def _sign_in(app, page, user, role: str) -> None:
    page.goto("/login")
    submit_password_in_browser(page, user.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/tf-validate"))
    submit_code_in_browser(page, totp_code(app, user))
    expect_home(page, HOME_HEADINGS[role])


def _sign_in_speaking(app, page, user, locale: str) -> None:
    """Sign in through the English pages (their labels are what the helpers fill), then switch the
    account to `locale` with the language form, as a user would."""
    _sign_in(app, page, user, user.role_name)
    page.locator("#language-choice").select_option(locale)
    page.locator("form.language button").click()
    expect(page.locator("html")).to_have_attribute("lang", locale)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("role", sorted(ROLE_CAPABILITIES))
def test_every_page_fits_a_phone(app, make_user, new_context, full_site, role, locale):
    """In each of the four languages: longer words must not push a page wider either."""
    user = full_site.get(role) or make_user(role)
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    _sign_in_speaking(app, page, user, locale)
    paths = pages(app, role, full_site["ids"])
    assert len(paths) >= 2
    too_wide = {}
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, f"{role} got {response.status} for {path}"
        width = page_width(page)
        if width > PHONE["width"] + 1:
            too_wide[path] = width
        assert_accessible(page, f"{path} as {role} in {locale} at {PHONE['width']} px")
    assert too_wide == {}, f"wider than a {PHONE['width']} px phone: {too_wide}"


def test_the_header_leaves_room_for_the_page(app, make_user, new_context, full_site):
    """The header is compact on a phone: the page's heading starts in the top third of the screen."""
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    _sign_in(app, page, full_site["coordinator"], "coordinator")
    page.goto("/cases/")
    top = page.get_by_role("heading", level=1).bounding_box()["y"]
    assert top < PHONE["height"] / 3, f"the heading starts {top:.0f} px down a {PHONE['height']} px screen"


def test_assign_controls_stay_on_screen(app, make_user, new_context, full_site):
    with app.app_context():
        case = db.session.get(Case, full_site["ids"]["case_id"])
        case.assignee_id = None
        db.session.commit()
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    _sign_in(app, page, full_site["coordinator"], "coordinator")
    page.goto("/cases/unassigned")
    button = page.get_by_role("button", name="Assign").first
    box = button.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"], "the Assign button is off the screen"
