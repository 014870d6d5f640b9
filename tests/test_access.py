"""Who may reach what: sign-in required everywhere but an allow-list (S1), admin pages for admins
only, and security headers on every response (S13)."""

import pytest

from casework.permissions import PUBLIC, SWITCHED_OFF, capability_of
from tests.conftest import csrf_from
from tests.routes import build, rules

REQUIRED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _assert_sends_to_sign_in(response, url):
    assert response.status_code in (302, 401), f"{url} answered {response.status_code} to an anonymous visitor"
    if response.status_code == 302:
        assert "/login" in response.headers["Location"], f"{url} redirected elsewhere than sign-in"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_every_endpoint_off_the_allow_list_requires_sign_in(app, client, method):
    public = _endpoints_needing(app, PUBLIC)
    checked = 0
    for rule in rules(app, method):
        if rule.endpoint in public:
            continue
        url = build(app, rule)
        _assert_sends_to_sign_in(client.open(url, method=method), url)
        checked += 1
    assert checked >= 5, "the URL map walk found too few routes to be meaningful"


def _endpoints_needing(app, capability: str) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if capability_of(app, rule.endpoint) == capability}


def test_allow_list_is_small_and_explicit(app):
    public = _endpoints_needing(app, PUBLIC)
    assert public == {
        "static",
        "security.login",
        "security.two_factor_setup",
        "security.two_factor_token_validation",
        "security.reset_password",
        "auth.set_language",
        "health.healthz",
    }


def test_unknown_address_sends_anonymous_visitors_to_sign_in(client):
    _assert_sends_to_sign_in(client.get("/no/such/page"), "/no/such/page")


OTHER_ROLES = ["volunteer", "coordinator", "advocate"]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_admin_pages_refuse_other_roles(app, signed_in, make_user, role):
    client, _ = signed_in(role)
    target = make_user("volunteer")
    token = csrf_from(client.get("/").get_data(as_text=True))
    admin_rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")]
    assert admin_rules
    for rule in admin_rules:
        url = build(app, rule, user_id=target.id)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": token, "role": "admin"})
            assert response.status_code == 404, f"{role} got {response.status_code} for {method} {url}"


def test_admin_pages_open_to_admins(app, signed_in, make_user):
    client, _ = signed_in("admin")
    target = make_user("volunteer")
    for rule in rules(app, "GET"):
        if rule.endpoint.startswith("admin."):
            url = build(app, rule, user_id=target.id)
            assert client.get(url).status_code == 200, url


def _get_urls(app, user_id):
    return [build(app, rule, user_id=user_id) for rule in rules(app, "GET") if not rule.arguments - {"user_id"}]


@pytest.mark.parametrize("who", ["anonymous", "admin", "volunteer"])
def test_security_headers_on_every_get_route(app, signed_in, make_user, who):
    client = app.test_client() if who == "anonymous" else signed_in(who)[0]
    target = make_user("volunteer")
    urls = _get_urls(app, target.id) + ["/static/casework.css", "/no/such/page"]
    for url in urls:
        response = client.get(url)
        for header, value in REQUIRED_HEADERS.items():
            assert response.headers.get(header) == value, f"{header} on {url}"
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'none'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp, url
        assert "Strict-Transport-Security" not in response.headers, "no HSTS over plain HTTP in development"


def test_hsts_in_production(settings):
    from casework import create_app
    from casework.extensions import db
    from tests.test_production_config import production_settings

    app = create_app(production_settings(settings))
    with app.app_context():
        db.create_all()  # the sign-in page stores a session, in a table the migrations create
    response = app.test_client().get("/login", base_url="https://casework.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_carry_no_inline_script_or_style(app, signed_in):
    client, _ = signed_in("admin")
    for url in ["/", "/admin/users", "/admin/users/invite", "/change"]:
        html = client.get(url).get_data(as_text=True)
        assert "<script" not in html and "<style" not in html and " style=" not in html, url


def test_views_that_would_send_email_are_switched_off(app, signed_in):
    client, _ = signed_in("volunteer")
    paths = {"security.forgot_password": "/reset", "security.two_factor_rescue": "/tf-rescue", "security.tf_select": "/tf-select"}
    assert set(paths) == _endpoints_needing(app, SWITCHED_OFF)
    for path in paths.values():
        assert client.get(path).status_code == 404, path


def test_anonymous_background_fetches_get_401_not_the_sign_in_page(client):
    """An icon fetched while someone is half-way through sign-in must not reach the sign-in view,
    which would reset their second-factor step."""
    response = client.get("/apple-touch-icon.png", headers={"Sec-Fetch-Dest": "image"})
    assert response.status_code == 401
    assert client.get("/cases/", headers={"Sec-Fetch-Dest": "document"}).status_code == 302


@pytest.mark.parametrize(("role", "expected"), [("volunteer", 404), ("advocate", 404), ("coordinator", 200), ("admin", 200)])
def test_audit_trail_only_for_coordinators_and_admins(signed_in, role, expected):
    client, _ = signed_in(role)
    assert client.get("/audit/").status_code == expected


@pytest.mark.parametrize(("role", "expected"), [("volunteer", 404), ("advocate", 200), ("coordinator", 200), ("admin", 200)])
def test_statistics_only_for_advocates_coordinators_and_admins(signed_in, role, expected):
    client, _ = signed_in(role)
    assert client.get("/stats/").status_code == expected


@pytest.mark.parametrize("role", ["advocate", "admin"])
def test_advocates_and_admins_see_no_case_data(app, signed_in, role):
    client, _ = signed_in(role)
    for rule in rules(app, "GET"):
        if rule.endpoint.startswith("cases."):
            url = build(app, rule)
            assert client.get(url).status_code == 404, url
