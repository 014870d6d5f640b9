"""Sign-in end to end in Chromium: password, second factor, home page, sign-out (S1, S7, S11)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_accessible,
    expect_home,
    path_of,
    submit_code_in_browser,
    submit_password_in_browser,
)
from tests.conftest import PASSWORD, totp_code

#: What the home page's heading calls each role (English).
ROLE_HEADINGS = {
    "volunteer": "Welcome, Volunteer",
    "coordinator": "Welcome, Coordinator",
    "advocate": "Welcome, Advocate",
    "admin": "Welcome, Administrator",
}

SESSION_COOKIE = "casework"


@pytest.mark.parametrize("role", list(ROLE_HEADINGS))
def test_sign_in_and_out_for_every_role(app, make_user, page, role):
    user = make_user(role)

    page.goto("/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Casework")
    assert page.locator("script").count() == 0, "Casework ships no script"
    assert_accessible(page, "the sign-in page")

    submit_password_in_browser(page, user.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/tf-validate"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    assert_accessible(page, "the second-factor code page")

    submit_code_in_browser(page, totp_code(app, user))
    expect_home(page, ROLE_HEADINGS[role])
    expect(page.get_by_text(f"Signed in as {user.email}")).to_be_visible()
    assert_accessible(page, f"the {role}'s home page")

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Casework")

    page.goto("/")
    assert path_of(page) == "/login", "after signing out the home page sends you to sign in"
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Casework")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_secure_session_cookie_is_kept_on_127_0_0_1(app, make_user, page):
    """The session cookie is Secure (S11); Chromium treats http://127.0.0.1 as a secure context and keeps it."""
    user = make_user("coordinator")
    page.goto("/login")
    assert page.evaluate("window.isSecureContext") is True, "http://127.0.0.1 should be a secure context"
    before = {c["name"]: c for c in page.context.cookies()}
    assert SESSION_COOKIE in before, f"Chromium did not keep the Secure session cookie; cookies: {sorted(before)}"
    cookie = before[SESSION_COOKIE]
    assert cookie["secure"] is True
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["domain"] == "127.0.0.1"

    submit_password_in_browser(page, user.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/tf-validate"))
    submit_code_in_browser(page, totp_code(app, user))
    expect_home(page, ROLE_HEADINGS["coordinator"])

    after = {c["name"]: c for c in page.context.cookies()}
    assert after[SESSION_COOKIE]["secure"] is True
    assert after[SESSION_COOKIE]["value"] != cookie["value"], "a new session id at sign-in (S11)"
    assert page.evaluate("document.cookie") == "", "the session cookie is HttpOnly, invisible to script"
