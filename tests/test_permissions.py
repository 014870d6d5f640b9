"""The capability table is the one place that says who may do what, and every route obeys it.

The role-by-route walk is generated from the URL map and `casework.permissions`: a new route that
declares no capability fails here, and so does a route that lets in a role the table leaves out.
"""

import pytest

from casework.extensions import db
from casework.models import Case, User
from casework.permissions import (
    CAPABILITIES,
    INTEGRATION_TOKEN,
    LIBRARY_ENDPOINTS,
    PUBLIC,
    ROLE_CAPABILITIES,
    SIGNED_IN,
    can,
    capability_of,
    require,
    visible_cases,
)
from tests.conftest import csrf_from
from tests.routes import build, rules

ROLES = sorted(ROLE_CAPABILITIES)


def test_every_endpoint_declares_a_known_capability(app):
    undeclared = [rule.endpoint for rule in app.url_map.iter_rules() if capability_of(app, rule.endpoint) is None]
    assert undeclared == []
    used = {capability_of(app, rule.endpoint) for rule in app.url_map.iter_rules()}
    assert used <= set(CAPABILITIES)


def test_library_table_names_only_registered_endpoints(app):
    assert set(LIBRARY_ENDPOINTS) <= {rule.endpoint for rule in app.url_map.iter_rules()}


def test_every_capability_is_used_by_a_route_or_a_rule(app):
    """A capability no route and no rule asks for is dead weight in the table."""
    by_routes = {capability_of(app, rule.endpoint) for rule in app.url_map.iter_rules()}
    asked_by_rules = {"cases.see_all", "cases.be_assigned"}  # read by visible_cases, assign, intake
    assert set(CAPABILITIES) == by_routes | asked_by_rules


def test_a_view_without_a_capability_is_refused_to_everyone(app, signed_in):
    @app.get("/undeclared")
    def undeclared():
        return "reachable"

    @app.get("/declared")
    @require(SIGNED_IN)
    def declared():
        return "reachable"

    client, _ = signed_in("coordinator")
    assert client.get("/undeclared").status_code == 404
    assert client.get("/declared").status_code == 200


def test_unknown_capabilities_are_refused_at_once():
    with pytest.raises(KeyError):
        require("cases.everything")
    with pytest.raises(KeyError):
        can(None, "cases.everything")


@pytest.fixture
def sample_ids(app, make_user, create_case):
    """Real ids for URL variables, so that a refusal cannot be a missing object's 404."""
    coordinator = make_user("coordinator")
    volunteer = make_user("volunteer")
    case_id = create_case(by=coordinator, assignee=volunteer)
    return {"case_id": case_id, "user_id": volunteer.id, "partner_id": 1, "rule_id": "R1", "period": "2026-Q1"}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_the_table_grants(app, signed_in, sample_ids, role):
    """For every route and method: a role without the capability gets 404 (never 403, S14); a role
    with it on a page without variables gets the page."""
    client, user = signed_in(role)
    token = csrf_from(client.get("/").get_data(as_text=True))
    checked = 0
    for method in ("GET", "POST"):
        for rule in rules(app, method):
            capability = capability_of(app, rule.endpoint)
            if capability in (PUBLIC, SIGNED_IN) or rule.endpoint.startswith("security."):
                continue
            url = build(app, rule, **sample_ids)
            response = client.open(url, method=method, data={"csrf_token": token})
            if capability == INTEGRATION_TOKEN:
                # The API ignores the sign-in cookie: without a token every role is a stranger there.
                assert response.status_code == 401, f"{role} got {response.status_code} for {method} {url} ({capability})"
                assert response.mimetype == "application/problem+json"
            elif capability not in ROLE_CAPABILITIES[role]:
                assert response.status_code == 404, f"{role} got {response.status_code} for {method} {url} ({capability})"
            elif method == "GET" and not rule.arguments:
                assert response.status_code == 200, f"{role} got {response.status_code} for {method} {url} ({capability})"
            checked += 1
    assert checked > 30


def test_templates_offer_only_what_the_table_grants(signed_in):
    """The menu is built with the same `can()`: a volunteer sees no coordinator or admin links."""
    client, _ = signed_in("volunteer")
    page = client.get("/").get_data(as_text=True)
    assert "/cases/new" in page
    for link in ("/cases/unassigned", "/admin/users", "/audit/", "/stats/"):
        assert link not in page, link
    client, _ = signed_in("admin")
    page = client.get("/").get_data(as_text=True)
    assert "/admin/users" in page and "/cases/new" not in page


def test_visible_cases_is_the_only_scope(app, make_user, create_case):
    coordinator, volunteer, other = make_user("coordinator"), make_user("volunteer"), make_user("volunteer")
    mine = create_case(by=coordinator, assignee=volunteer)
    create_case(by=coordinator, assignee=other)
    with app.app_context():
        ids = lambda user: set(db.session.scalars(visible_cases(db.session.get(User, user.id)).with_only_columns(Case.id)))  # noqa: E731
        assert ids(volunteer) == {mine}
        assert len(ids(coordinator)) == 2
        assert ids(make_user("advocate")) == set() and ids(make_user("admin")) == set()


def test_an_inactive_account_holds_no_capability(app, make_user):
    with app.app_context():
        user = db.session.get(User, make_user("coordinator").id)
        assert can(user, "cases.see_all")
        user.active = False
        assert not can(user, "cases.see_all") and not can(user, SIGNED_IN)


def test_the_table_is_the_only_place_roles_are_named_in_views():
    """Views, operations and templates ask `can()`; none compares role names itself."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parent.parent
    pattern = re.compile(r"role_name\s*(==|!=|in)\s|has_role\(")
    offenders = [
        str(path.relative_to(root))
        for folder in ("casework", "templates")
        for path in (root / folder).rglob("*.*")
        if path.suffix in (".py", ".html") and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == ["casework/admin/operations.py"]  # the last-admin rule is about accounts, not access
