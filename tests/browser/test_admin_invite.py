"""An admin invites a volunteer in the browser; the volunteer sets a password, enrols and arrives home."""

import re

from playwright.sync_api import expect

from casework.extensions import db
from casework.models import User
from tests.browser.conftest import (
    assert_accessible,
    enrol_in_browser,
    expect_home,
    path_of,
    submit_code_in_browser,
    submit_password_in_browser,
)
from tests.conftest import PASSWORD, totp_code

NEW_EMAIL = "new.volunteer@casework.example.org"
NEW_PASSWORD = "a long passphrase chosen by the new volunteer"


def test_admin_invites_a_volunteer_who_then_signs_in(app, make_user, live_server, new_context):
    admin = make_user("admin")
    page = new_context().new_page()

    page.goto("/login")
    submit_password_in_browser(page, admin.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/tf-validate"))
    submit_code_in_browser(page, totp_code(app, admin))
    expect_home(page, "Welcome, Administrator")
    assert_accessible(page, "the admin's home page")

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Accounts", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts")
    assert path_of(page) == "/admin/users"
    expect(page.get_by_role("table")).to_contain_text(admin.email)
    assert_accessible(page, "the accounts page")

    page.get_by_role("link", name="Invite someone", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite someone")
    assert_accessible(page, "the invitation form")
    page.get_by_label("E-mail address", exact=True).fill(NEW_EMAIL)
    page.get_by_label("Role", exact=True).select_option(label="Volunteer")
    page.get_by_role("button", name="Create account and link", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("One-time setup link")
    link_field = page.get_by_label("Link", exact=True)
    expect(link_field).to_have_attribute("readonly", "")
    link = link_field.input_value()
    assert link.startswith(f"{live_server}/reset/"), f"unexpected setup link {link!r}"
    expect(page.get_by_text(NEW_EMAIL)).to_be_visible()
    assert_accessible(page, "the one-time setup link page")

    # The newcomer, in a browser of their own.
    newcomer = new_context().new_page()
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Choose your password")
    assert_accessible(newcomer, "the choose-your-password page of the setup link")
    newcomer.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    newcomer.get_by_label("The same password again", exact=True).fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Save my password and continue", exact=True).click()

    # Straight on to the authenticator: no detour through the sign-in page.
    expect(newcomer).to_have_url(re.compile(r"/tf-setup"))
    enrol_in_browser(newcomer)

    expect_home(newcomer, "Welcome, Volunteer")
    expect(newcomer.get_by_text(f"Signed in as {NEW_EMAIL}")).to_be_visible()
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == NEW_EMAIL))
        assert user.role_name == "volunteer" and user.tf_primary_method == "authenticator"

    # The admin sees the new account, enrolled, in the list.
    page.get_by_role("link", name="Back to the account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_EMAIL)
    assert_accessible(page, "the new account's page")
    page.get_by_role("link", name="Back to accounts").click()
    row = page.get_by_role("row").filter(has_text=NEW_EMAIL)
    expect(row).to_contain_text("Volunteer")
    expect(row).to_contain_text("Enrolled")
