"""Sign-in with password and second factor: security.md S7 to S12."""

import re

import pytest
from sqlalchemy import text

from casework.extensions import db
from casework.models import AuditEvent, User
from casework.passwords import is_common
from tests.conftest import PASSWORD, csrf, csrf_from, sign_in, submit_password, totp_code


def _second_step(client):
    page = client.get("/tf-validate").get_data(as_text=True)
    return csrf_from(page)


# S7: a second factor for every account, each code once, secrets encrypted.


def test_password_alone_does_not_sign_in(app, client, make_user):
    user = make_user("coordinator")
    response = submit_password(client, user.email)
    assert response.status_code == 302 and "/tf-validate" in response.headers["Location"]
    home = client.get("/")
    assert home.status_code == 302 and "/login" in home.headers["Location"]


def test_wrong_code_is_refused(app, client, make_user):
    user = make_user("volunteer")
    submit_password(client, user.email)
    wrong = "000000" if totp_code(app, user) != "000000" else "111111"
    response = client.post("/tf-validate", data={"code": wrong, "csrf_token": _second_step(client)})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_a_code_works_only_once(app, make_user):
    user = make_user("volunteer")
    first = app.test_client()
    assert sign_in(first, app, user).status_code == 302
    code = totp_code(app, user)
    second = app.test_client()
    submit_password(second, user.email)
    replay = second.post("/tf-validate", data={"code": code, "csrf_token": _second_step(second)})
    assert replay.status_code == 200, "a replayed code must not sign in"
    assert second.get("/").status_code == 302


def test_unenrolled_user_is_sent_to_enrolment_before_anything_else(app, client, make_user):
    user = make_user("advocate", enrolled=False)
    response = submit_password(client, user.email)
    assert "/tf-setup" in response.headers["Location"]
    assert client.get("/").status_code == 302, "nothing is reachable before enrolment"
    setup = client.get("/tf-setup").get_data(as_text=True)
    chosen = client.post("/tf-setup", data={"setup": "authenticator", "csrf_token": csrf_from(setup)})
    page = chosen.get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in page, "the QR code is rendered on the server"
    key = re.search(r'<code class="key">([A-Z2-7-]+)</code>', page).group(1)
    from passlib.totp import TOTP

    code = TOTP(key=key.replace("-", ""), format="base32").generate().token
    done = client.post("/tf-validate", data={"code": code, "csrf_token": csrf_from(page)})
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert stored.tf_primary_method == "authenticator"
        assert key.replace("-", "") not in stored.tf_totp_secret, "the TOTP secret is stored encrypted"


def test_totp_secret_is_encrypted_at_rest(app, make_user):
    user = make_user("admin")
    with app.app_context():
        raw = db.session.execute(text("SELECT tf_totp_secret FROM users WHERE id = :id"), {"id": user.id}).scalar()
        from casework.extensions import security

        plain_key = security.totp_factory.get_totp_pretty_key(raw).replace("-", "")
    assert plain_key not in raw
    assert '"enckey"' in raw or '"c"' in raw, "stored in the TOTP library's encrypted form"


# S8: throttling per account and per address, no global lockout.


def test_sixth_wrong_password_is_throttled_even_when_right(app, make_user):
    user = make_user("volunteer")
    client = app.test_client()
    for _ in range(5):
        assert submit_password(client, user.email, "wrong password, attempt n").status_code == 200
    refused = submit_password(client, user.email, PASSWORD)
    assert refused.status_code == 429
    assert client.get("/").status_code == 302


def test_throttle_of_one_account_leaves_others_alone(app, make_user):
    target, bystander = make_user("volunteer"), make_user("coordinator")
    client = app.test_client()
    for _ in range(5):
        submit_password(client, target.email, "wrong password, attempt n")
    assert submit_password(client, target.email).status_code == 429
    other = app.test_client()
    assert sign_in(other, app, bystander).status_code == 302


def test_throttle_per_address_across_accounts(app, make_user):
    app.config["CASEWORK_LOGIN_LIMIT_ADDRESS"] = "8 per 15 minutes"
    client = app.test_client()
    for number in range(8):
        submit_password(client, f"nobody{number}@casework.example.org", "wrong password, attempt n")
    assert submit_password(client, "someone.else@casework.example.org", "x" * 20).status_code == 429
    elsewhere = app.test_client()
    response = elsewhere.post(
        "/login",
        data={"email": "someone.else@casework.example.org", "password": "x" * 20, "csrf_token": csrf(elsewhere)},
        environ_base={"REMOTE_ADDR": "192.0.2.77"},
    )
    assert response.status_code == 200, "another address is not throttled"


PROXY = {"REMOTE_ADDR": "198.51.100.7"}


def _from_proxy(client, email, password):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf(client)}, environ_base=PROXY)


def test_failures_for_unknown_accounts_do_not_lock_out_a_colleague_behind_the_same_address(app, make_user):
    """Everyone behind one proxy shares its address: an attacker's failures there must not keep out
    an account whose owner is not the one failing."""
    app.config["CASEWORK_LOGIN_LIMIT_ADDRESS"] = "8 per 15 minutes"
    colleague = make_user("coordinator")
    attacker = app.test_client()
    for number in range(12):
        _from_proxy(attacker, f"nobody{number}@casework.example.org", "wrong password, attempt n")
    assert _from_proxy(attacker, "nobody99@casework.example.org", "x" * 20).status_code == 429
    own = app.test_client()
    response = _from_proxy(own, colleague.email, PASSWORD)
    assert response.status_code == 302 and "/tf-validate" in response.headers["Location"]


def test_failures_for_other_accounts_do_not_lock_out_a_colleague_behind_the_same_address(app, make_user):
    app.config["CASEWORK_LOGIN_LIMIT_ADDRESS"] = "8 per 15 minutes"
    targets, colleague = [make_user("volunteer") for _ in range(3)], make_user("volunteer")
    attacker = app.test_client()
    for target in targets:
        for _ in range(5):
            _from_proxy(attacker, target.email, "wrong password, attempt n")
    own = app.test_client()
    assert sign_in_from_proxy(own, app, colleague).status_code == 302


def sign_in_from_proxy(client, app, user):
    first = _from_proxy(client, user.email, PASSWORD)
    assert first.status_code == 302, first.status_code
    page = client.get(first.headers["Location"], environ_base=PROXY).get_data(as_text=True)
    return client.post("/tf-validate", data={"code": totp_code(app, user), "csrf_token": csrf_from(page)}, environ_base=PROXY)


def test_a_throttled_address_does_not_tell_known_from_unknown_accounts(app, make_user):
    """Past the address limit a wrong password is refused alike for a known and an unknown e-mail, so
    the refusal reveals nothing about which accounts exist (S9)."""
    app.config["CASEWORK_LOGIN_LIMIT_ADDRESS"] = "8 per 15 minutes"
    known = make_user("volunteer")
    attacker = app.test_client()
    for number in range(8):
        _from_proxy(attacker, f"nobody{number}@casework.example.org", "wrong password, attempt n")
    unknown = _from_proxy(attacker, "not-an-account@casework.example.org", "wrong password, attempt n")
    wrong = _from_proxy(attacker, known.email, "wrong password, attempt n")
    assert unknown.status_code == wrong.status_code == 429
    # Compared without the form's values: the CSRF token is signed with the second it was made in,
    # so two pages a second apart differ there whatever the account.
    assert _normalised(unknown.get_data(as_text=True), "not-an-account@casework.example.org") == _normalised(
        wrong.get_data(as_text=True), known.email
    )


def test_wrong_codes_are_throttled(app, make_user):
    user = make_user("volunteer")
    client = app.test_client()
    submit_password(client, user.email)
    token = _second_step(client)
    wrong = "000000" if totp_code(app, user) != "000000" else "111111"
    for _ in range(5):
        client.post("/tf-validate", data={"code": wrong, "csrf_token": token})
    response = client.post("/tf-validate", data={"code": totp_code(app, user), "csrf_token": token})
    assert response.status_code == 429


# S9: unknown account and wrong password look the same, in every language.


def _normalised(html: str, email: str) -> str:
    html = html.replace(email, "EMAIL")
    return re.sub(r'value="[^"]*"', 'value=""', html)


@pytest.mark.parametrize("language", ["en", "nl", "ru", "uk"])
def test_unknown_account_and_wrong_password_look_identical(app, make_user, language):
    user = make_user("volunteer")
    unknown_email = "not-an-account@casework.example.org"
    headers = {"Accept-Language": language}
    one, two = app.test_client(), app.test_client()
    wrong = one.post(
        "/login",
        data={"email": user.email, "password": "not the right password", "csrf_token": csrf(one)},
        headers=headers,
    )
    unknown = two.post(
        "/login",
        data={"email": unknown_email, "password": "not the right password", "csrf_token": csrf(two)},
        headers=headers,
    )
    assert wrong.status_code == unknown.status_code == 200
    assert _normalised(wrong.get_data(as_text=True), user.email) == _normalised(unknown.get_data(as_text=True), unknown_email)


# S10: length, not composition; common passwords refused; argon2id.


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short password", False),  # 14 characters
        ("fifteen chars!!", True),
        ("a" * 15, False),
        ("passwordpassword", False),
        ("qwertyuiop123456", False),
        ("1qaz2wsx3edc4rfv", False),
        ("iloveyou!!!!!!!!!", False),
        ("123456789012345", False),
        ("987654321098765", False),
        ("abcdefghijklmnop", False),
        ("qwertyuiopasdfgh", False),
        ("zxcvbnmasdfghjkl", False),
        ("1234567890qwertyuiop", False),
        ("qwertyqwertyqwerty", False),
        ("abcabcabcabcabcabc", False),
        ("zzzzzzzzzzzzzzzzzzzz", False),
        ("horsebatterystaple", True),
        ("purple elephants argue about tea", True),
        ("correct horse battery staple", True),
        ("всё пройдёт и это тоже", True),
        ("x7" + "lange zin zonder regels " * 3, True),
        ("w" * 3 + "ordy long passphrase with 100 characters ".ljust(97, "z"), True),
    ],
)
def test_password_rules(app, password, accepted):
    from casework.extensions import security

    with app.test_request_context():
        errors, _ = security._password_util.validate(password, False)  # noqa: SLF001
    assert (errors is None) == accepted, errors


def test_common_password_list_is_offline_and_large():
    assert is_common("password") and is_common("Password123456789") and is_common("dragondragondragon")
    assert not is_common("purple elephants argue about tea")


def test_stored_hash_is_argon2id(app, make_user):
    user = make_user("volunteer")
    with app.app_context():
        assert db.session.get(User, user.id).password.startswith("$argon2id$")


def test_change_password_enforces_rules_and_ends_other_sessions(app, make_user):
    user = make_user("volunteer")
    other_device, this_device = app.test_client(), app.test_client()
    sign_in(other_device, app, user)
    sign_in(this_device, app, user, steps_ahead=1)
    page = this_device.get("/change").get_data(as_text=True)
    too_short = this_device.post(
        "/change",
        data={"password": PASSWORD, "new_password": "short", "new_password_confirm": "short", "csrf_token": csrf_from(page)},
    )
    assert too_short.status_code == 200 and client_still_signed_in(other_device)
    new = "a brand new passphrase for casework"
    changed = this_device.post(
        "/change",
        data={"password": PASSWORD, "new_password": new, "new_password_confirm": new, "csrf_token": csrf_from(page)},
    )
    assert changed.status_code == 302
    assert not client_still_signed_in(other_device), "a password change ends the other sessions"


def client_still_signed_in(client) -> bool:
    return client.get("/").status_code == 200


# S11: server-side sessions that end.


def _session_cookie(app, client):
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None


def test_session_id_changes_at_sign_in(app, client, make_user):
    user = make_user("volunteer")
    client.get("/login")
    before = _session_cookie(app, client)
    sign_in(client, app, user)
    after = _session_cookie(app, client)
    assert before and after and before != after


def test_cookie_replayed_after_logout_is_worthless(app, make_user):
    user = make_user("coordinator")
    client = app.test_client()
    sign_in(client, app, user)
    stolen = _session_cookie(app, client)
    page = client.get("/").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 302
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_idle_timeout_ends_the_session_on_the_server(app, make_user):
    from datetime import datetime, timedelta

    user = make_user("volunteer")
    client = app.test_client()
    sign_in(client, app, user)
    assert client_still_signed_in(client)
    with app.app_context():
        past = datetime.utcnow() - timedelta(seconds=1)
        db.session.execute(text("UPDATE sessions SET expiry = :past"), {"past": past})
        db.session.commit()
    assert not client_still_signed_in(client)


def test_absolute_timeout_ends_even_an_active_session(app, make_user):
    from datetime import timedelta

    user = make_user("volunteer")
    client = app.test_client()
    sign_in(client, app, user)
    assert client_still_signed_in(client)
    app.config["CASEWORK_SESSION_ABSOLUTE"] = timedelta(seconds=-1)
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    app.config["CASEWORK_SESSION_ABSOLUTE"] = timedelta(hours=12)
    assert not client_still_signed_in(client)


def test_deactivation_ends_sessions(app, make_user):
    user = make_user("volunteer")
    client = app.test_client()
    sign_in(client, app, user)
    with app.app_context():
        from casework.admin import operations

        operations.deactivate(db.session.get(User, user.id))
        db.session.commit()
    assert not client_still_signed_in(client)
    assert submit_password(app.test_client(), user.email).status_code == 200, "deactivated accounts cannot sign in"


# S12: cookies, CSRF, logout by POST only.


def test_session_cookie_flags(app, client, make_user):
    user = make_user("volunteer")
    sign_in(client, app, user)
    response = client.get("/")
    header = next(
        value for value in response.headers.getlist("Set-Cookie") if value.startswith(app.config["SESSION_COOKIE_NAME"])
    )
    lowered = header.lower()
    assert "secure" in lowered and "httponly" in lowered and "samesite=strict" in lowered and "path=/" in lowered
    assert "domain=" not in lowered


def test_production_cookie_uses_host_prefix(settings):
    from casework import create_app
    from tests.test_production_config import production_settings

    app = create_app(production_settings(settings, SESSION_COOKIE_NAME="__Host-casework"))
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_default_cookie_name_has_host_prefix(monkeypatch):
    from casework.config import load_config

    monkeypatch.setenv("CASEWORK_ENV", "production")
    assert load_config()["SESSION_COOKIE_NAME"] == "__Host-casework"


def test_post_without_csrf_token_is_refused(app, client, make_user):
    user = make_user("volunteer")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_logout_is_post_only(app, client, make_user):
    user = make_user("volunteer")
    sign_in(client, app, user)
    assert client.get("/logout").status_code == 405
    assert client_still_signed_in(client)


def test_sign_in_and_out_are_audited(app, client, make_user):
    user = make_user("volunteer")
    sign_in(client, app, user)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    with app.app_context():
        actions = [e.action for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.actor_id == user.id))]
    assert actions == ["sign_in", "sign_out"]


def test_the_address_is_found_whatever_its_case(app, make_user):
    """People type their address with capitals now and then; the account is found all the same."""
    user = make_user("volunteer", email="Anna.Volkova@Casework.example.org")
    for typed in ("anna.volkova@casework.example.org", "ANNA.VOLKOVA@CASEWORK.EXAMPLE.ORG"):
        response = submit_password(app.test_client(), typed)
        assert response.status_code == 302 and "/tf-validate" in response.headers["Location"], typed
    assert submit_password(app.test_client(), "anna.volkov@casework.example.org").status_code == 200
    assert user.email == "Anna.Volkova@Casework.example.org"
