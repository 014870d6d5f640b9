"""Every page, as each role that may open it, at 375 px: nothing wider than the screen, actions
visible, no serious accessibility finding. The pages come from the URL map and the capability
table, so a new page is checked as soon as it exists."""

import re

import pytest
from playwright.sync_api import expect

from casework.cases import operations
from casework.config import LOCALES
from casework.extensions import db
from casework.models import Case, Partner, User
from casework.permissions import ROLE_CAPABILITIES, capability_of
from tests.browser.conftest import assert_accessible, expect_home, submit_code_in_browser, submit_password_in_browser
from tests.conftest import PASSWORD, totp_code
from tests.factories import INTAKE

PHONE = {"width": 375, "height": 740}
HOME_HEADINGS = {
    "volunteer": "Welcome, Volunteer",
    "coordinator": "Welcome, Coordinator",
    "advocate": "Welcome, Advocate",
    "admin": "Welcome, Administrator",
}
#: Pages that answer with a file or an image, not a page to lay out.
NOT_PAGES = {"cases.download", "stats.release_csv", "stats.release_json", "stats.chart", "static", "health.healthz"}


@pytest.fixture
def world(app, make_user):
    """Two cases with a note and a referral, so that the case pages show every section."""
    volunteer, coordinator = make_user("volunteer"), make_user("coordinator")
    with app.app_context():
        partner = Partner(name="Refugee Law Clinic Utrecht")
        db.session.add(partner)
        db.session.flush()
        actor = db.session.get(User, coordinator.id)
        case = operations.create_case({**INTAKE, "consent_partners": [partner.id]}, actor)
        case.assignee_id = volunteer.id
        operations.add_note(case, "Called back; he will send the summons scan tonight.", actor)
        referral = operations.refer(case, partner, "Legal advice on an asylum application", actor)
        db.session.commit()
        ids = {"case_id": case.id, "referral_id": referral.id, "user_id": volunteer.id, "partner_id": partner.id, "rule_id": "R1"}
    return {"volunteer": volunteer, "coordinator": coordinator, "ids": ids}


def _pages(app, role: str, ids: dict) -> list[str]:
    paths = []
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        for rule in app.url_map.iter_rules():
            capability = capability_of(app, rule.endpoint)
            if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or rule.endpoint.startswith("security."):
                continue
            if capability not in ROLE_CAPABILITIES[role] or not set(rule.arguments) <= set(ids):
                continue
            paths.append(adapter.build(rule.endpoint, {name: ids[name] for name in rule.arguments}))
    return sorted(set(paths))


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
def test_every_page_fits_a_phone(app, make_user, new_context, world, role, locale):
    """In each of the four languages: longer words must not push a page wider either."""
    user = world.get(role) or make_user(role)
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    _sign_in_speaking(app, page, user, locale)
    paths = _pages(app, role, world["ids"])
    assert len(paths) >= 2
    too_wide = {}
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, f"{role} got {response.status} for {path}"
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"] + 1:
            too_wide[path] = width
        assert_accessible(page, f"{path} as {role} in {locale} at {PHONE['width']} px")
    assert too_wide == {}, f"wider than a {PHONE['width']} px phone: {too_wide}"


def test_the_header_leaves_room_for_the_page(app, make_user, new_context, world):
    """The header is compact on a phone: the page's heading starts in the top third of the screen."""
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    _sign_in(app, page, world["coordinator"], "coordinator")
    page.goto("/cases/")
    top = page.get_by_role("heading", level=1).bounding_box()["y"]
    assert top < PHONE["height"] / 3, f"the heading starts {top:.0f} px down a {PHONE['height']} px screen"


def test_assign_controls_stay_on_screen(app, make_user, new_context, world):
    with app.app_context():
        case = db.session.get(Case, world["ids"]["case_id"])
        case.assignee_id = None
        db.session.commit()
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    _sign_in(app, page, world["coordinator"], "coordinator")
    page.goto("/cases/unassigned")
    button = page.get_by_role("button", name="Assign").first
    box = button.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"], "the Assign button is off the screen"
