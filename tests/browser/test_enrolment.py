"""First sign-in of an account without a second factor: it must enrol one before anything else (S7)."""

import re

from playwright.sync_api import expect

from casework.extensions import db
from casework.models import User
from tests.browser.conftest import assert_accessible, enrol_in_browser, expect_home, submit_password_in_browser
from tests.conftest import PASSWORD


def test_first_sign_in_enrols_the_second_factor(app, make_user, page):
    user = make_user("advocate", enrolled=False)
    page.goto("/login")
    submit_password_in_browser(page, user.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/tf-setup"))

    enrol_in_browser(page)

    expect_home(page, "Welcome, Advocate")
    assert_accessible(page, "the advocate's home page after enrolment")
    with app.app_context():
        assert db.session.get(User, user.id).tf_primary_method == "authenticator"
