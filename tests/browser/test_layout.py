"""Phone-sized screens: nothing wider than the viewport, so no sideways scrolling."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import expect_home, page_width, submit_code_in_browser, submit_password_in_browser
from tests.conftest import PASSWORD, totp_code

PHONE = {"width": 375, "height": 740}


def test_sign_in_page_fits_a_phone(new_context):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto("/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Casework")
    width = page_width(page)
    assert width <= PHONE["width"] + 1, f"the sign-in page is {width}px wide on a {PHONE['width']}px phone"


def test_admin_pages_fit_a_phone(app, make_user, new_context):
    admin = make_user("admin")
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto("/login")
    submit_password_in_browser(page, admin.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/tf-validate"))
    assert page_width(page) <= PHONE["width"] + 1, "the second-factor page is too wide for a phone"
    submit_code_in_browser(page, totp_code(app, admin))
    expect_home(page, "Welcome, Administrator")
    for path in ("/", "/admin/users", "/admin/users/invite"):
        page.goto(path)
        width = page_width(page)
        assert width <= PHONE["width"] + 1, f"{path} is {width}px wide on a {PHONE['width']}px phone"
