"""Account administration, on the web and on the command line; every change audited."""

import re
import time

import pytest
from passlib.totp import TOTP
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import AuditEvent, User
from tests.conftest import csrf_from, sign_in, submit_password

NEW_PASSWORD = "a long passphrase chosen by the new volunteer"


def _invite(client, email="new.volunteer@casework.example.org", role="volunteer"):
    page = client.get("/admin/users/invite").get_data(as_text=True)
    return client.post("/admin/users/invite", data={"email": email, "role": role, "csrf_token": csrf_from(page)})


def _link_path(html: str) -> str:
    return re.search(r'value="https?://[^/"]+(/reset/[^"]+)"', html).group(1)


def _set_password(client, path: str, password: str = NEW_PASSWORD):
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={"password": password, "password_confirm": password, "csrf_token": csrf_from(page)})


def _enrol(client):
    page = client.get("/tf-setup").get_data(as_text=True)
    shown = client.post("/tf-setup", data={"setup": "authenticator", "csrf_token": csrf_from(page)}).get_data(as_text=True)
    key = re.search(r'<code class="key">([A-Z2-7-]+)</code>', shown).group(1).replace("-", "")
    code = TOTP(key=key, format="base32").generate().token
    return client.post("/tf-validate", data={"code": code, "csrf_token": csrf_from(shown)})


def _actions(app, target_id=None):
    with app.app_context():
        query = db.select(AuditEvent).order_by(AuditEvent.id)
        if target_id is not None:
            query = query.where(AuditEvent.target_user_id == target_id)
        return [(event.action, event.actor_id, event.detail) for event in db.session.scalars(query)]


def test_invitation_leads_to_password_then_second_factor_then_home(app, signed_in):
    admin_client, admin = signed_in("admin")
    response = _invite(admin_client)
    assert response.status_code == 200
    path = _link_path(response.get_data(as_text=True))

    newcomer = app.test_client()
    page = newcomer.get(path, follow_redirects=True).get_data(as_text=True)
    assert "Choose your password" in page and "Retype" not in page and "Reset" not in page
    chosen = _set_password(newcomer, path)
    assert chosen.status_code == 302 and "/tf-setup" in chosen.headers["Location"], "straight on to the second factor, no sign-in"
    assert newcomer.get("/").status_code == 302, "not signed in before the second factor is enrolled"
    assert _enrol(newcomer).status_code == 302
    home = newcomer.get("/").get_data(as_text=True)
    assert "new.volunteer@casework.example.org" in home

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "new.volunteer@casework.example.org"))
        assert user.role_name == "volunteer"
        assert ("user_invited", admin.id, "volunteer") in _actions(app, user.id)


def test_setup_link_works_only_once(app, signed_in):
    admin_client, _ = signed_in("admin")
    path = _link_path(_invite(admin_client).get_data(as_text=True))
    newcomer = app.test_client()
    assert _set_password(newcomer, path).status_code == 302
    again = app.test_client()
    reuse = again.get(path)
    assert reuse.status_code == 302, "a used link must not open the form again"
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "new.volunteer@casework.example.org"))
        before = user.password
    token = csrf_from(again.get("/login").get_data(as_text=True))
    attempt = "someone else's password attempt"
    again.post(path, data={"password": attempt, "password_confirm": attempt, "csrf_token": token})
    with app.app_context():
        assert db.session.get(User, user.id).password == before


def test_setup_link_expires_after_72_hours(app, signed_in, monkeypatch):
    admin_client, _ = signed_in("admin")
    path = _link_path(_invite(admin_client).get_data(as_text=True))
    issued = time.time()
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: issued + 71 * 3600)
    assert app.test_client().get(path).status_code == 200, "still valid after 71 hours"
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: issued + 73 * 3600)
    assert app.test_client().get(path).status_code == 302, "expired after 72 hours"


def test_invite_refuses_a_duplicate_and_keeps_the_input(app, signed_in, make_user):
    admin_client, _ = signed_in("admin")
    existing = make_user("coordinator")
    response = _invite(admin_client, email=existing.email, role="advocate")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already exists" in html
    assert f'value="{existing.email}"' in html
    assert re.search(r'<option selected value="advocate">|<option value="advocate" selected>', html)


def test_invite_validates_the_email_in_the_users_language(app, signed_in):
    admin_client, admin = signed_in("admin")
    with app.app_context():
        db.session.get(User, admin.id).locale = "nl"
        db.session.commit()
    page = admin_client.get("/admin/users/invite").get_data(as_text=True)
    response = admin_client.post(
        "/admin/users/invite", data={"email": "not an address", "role": "volunteer", "csrf_token": csrf_from(page)}
    )
    html = response.get_data(as_text=True)
    assert 'value="not an address"' in html
    assert 'lang="nl"' in html
    assert "Enter a valid e-mail address." not in html, "the message is translated"


def _post_action(client, path):
    page = client.get("/").get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_from(page)})


def test_change_role_ends_sessions_and_is_audited(app, signed_in):
    admin_client, admin = signed_in("admin")
    member_client, member = signed_in("volunteer")
    page = admin_client.get(f"/admin/users/{member.id}").get_data(as_text=True)
    admin_client.post(f"/admin/users/{member.id}/role", data={"role": "coordinator", "csrf_token": csrf_from(page)})
    with app.app_context():
        assert db.session.get(User, member.id).role_name == "coordinator"
    assert member_client.get("/").status_code == 302, "sessions end when the role changes"
    assert ("role_changed", admin.id, "coordinator") in _actions(app, member.id)


def test_deactivate_and_reactivate(app, signed_in):
    admin_client, admin = signed_in("admin")
    member_client, member = signed_in("volunteer")
    _post_action(admin_client, f"/admin/users/{member.id}/deactivate")
    assert member_client.get("/").status_code == 302
    assert submit_password(app.test_client(), member.email).status_code == 200, "cannot sign in while deactivated"
    _post_action(admin_client, f"/admin/users/{member.id}/reactivate")
    assert sign_in(app.test_client(), app, member, steps_ahead=1).status_code == 302
    actions = [action for action, actor, _ in _actions(app, member.id) if actor == admin.id]
    assert actions == ["user_deactivated", "user_reactivated"]


def test_reset_second_factor_forces_enrolment(app, signed_in):
    admin_client, admin = signed_in("admin")
    member_client, member = signed_in("coordinator")
    _post_action(admin_client, f"/admin/users/{member.id}/reset-second-factor")
    assert member_client.get("/").status_code == 302
    again = app.test_client()
    assert "/tf-setup" in submit_password(again, member.email).headers["Location"]
    assert ("second_factor_reset", admin.id, None) in _actions(app, member.id)


def test_new_setup_link_for_a_forgotten_password(app, signed_in):
    admin_client, admin = signed_in("admin")
    _, member = signed_in("volunteer")
    response = _post_action(admin_client, f"/admin/users/{member.id}/setup-link")
    path = _link_path(response.get_data(as_text=True))
    assert _set_password(app.test_client(), path).status_code == 302
    assert submit_password(app.test_client(), member.email, NEW_PASSWORD).status_code == 302
    assert ("setup_link_issued", admin.id, None) in _actions(app, member.id)


def test_admin_cannot_lock_themselves_out(app, signed_in):
    admin_client, admin = signed_in("admin")
    response = _post_action(admin_client, f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, admin.id).active
    assert admin_client.get("/").status_code == 200


def test_last_admin_cannot_be_removed(app, make_user):
    from casework.admin import operations

    admin = make_user("admin")
    with app.app_context():
        with pytest.raises(operations.AdminError):
            operations.deactivate(db.session.get(User, admin.id))
        with pytest.raises(operations.AdminError):
            operations.change_role(db.session.get(User, admin.id), "volunteer")


def test_user_list_shows_accounts(app, signed_in, make_user):
    admin_client, _ = signed_in("admin")
    member = make_user("advocate")
    html = admin_client.get("/admin/users").get_data(as_text=True)
    assert member.email in html and "Advocate" in html


# Command line


def test_cli_bootstraps_the_first_admin(app, runner):
    result = runner.invoke(args=["users", "create", "first.admin@casework.example.org", "--role", "admin"])
    assert result.exit_code == 0, result.output
    path = re.search(r"https?://\S+(/reset/\S+)", result.output).group(1)
    client = app.test_client()
    assert "/tf-setup" in _set_password(client, path).headers["Location"]
    assert _enrol(client).status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_cli_list_and_deactivate(app, runner, make_user):
    admin, member = make_user("admin"), make_user("volunteer")
    listing = runner.invoke(args=["users", "list"]).output
    assert member.email in listing and "volunteer" in listing and admin.email in listing
    result = runner.invoke(args=["users", "deactivate", member.email])
    assert result.exit_code == 0
    with app.app_context():
        assert not db.session.get(User, member.id).active
    assert runner.invoke(args=["users", "deactivate", "nobody@casework.example.org"]).exit_code != 0


@pytest.mark.parametrize("address", ["someone@casework.test", "no-at-sign", "two@@casework.example.org"])
def test_cli_refuses_an_address_sign_in_would_refuse(app, runner, address):
    """An account made with an address the sign-in form refuses (a reserved domain such as .test, or
    no valid address at all) could never be used: the command refuses it and creates nothing."""
    result = runner.invoke(args=["users", "create", address, "--role", "volunteer"])
    assert result.exit_code != 0 and "Enter a valid e-mail address." in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_cli_refuses_unknown_role_and_duplicate(runner, make_user):
    assert runner.invoke(args=["users", "create", "x@casework.example.org", "--role", "king"]).exit_code != 0
    member = make_user("volunteer")
    assert runner.invoke(args=["users", "create", member.email, "--role", "admin"]).exit_code != 0


def test_demo_accounts_sign_in_and_can_be_made_twice(app, runner):
    first = runner.invoke(args=["demo", "accounts"])
    second = runner.invoke(args=["demo", "accounts"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "DEMO" in first.output
    for role in ("volunteer", "coordinator", "advocate", "admin"):
        email = re.search(rf"e-mail: ({role}@\S+)", second.output).group(1)
        password = re.search(rf"{role}@\S+\n\s+password: (.+)", second.output).group(1)
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        response = client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_from(page)})
        assert "/tf-validate" in response.headers["Location"], role
        code = runner.invoke(args=["demo", "code", role]).output.strip()
        verify = client.get("/tf-validate").get_data(as_text=True)
        assert client.post("/tf-validate", data={"code": code, "csrf_token": csrf_from(verify)}).status_code == 302
        assert client.get("/").status_code == 200


def test_demo_accounts_refused_in_production(settings):
    from casework import create_app
    from tests.test_production_config import production_settings

    app = create_app(production_settings(settings))
    result = app.test_cli_runner().invoke(args=["demo", "accounts"])
    assert result.exit_code != 0 and "production" in result.output


def test_demo_seed_is_refused_in_production_where_faker_is_not_installed(settings, monkeypatch):
    """Production installs without the `demo` extra: the command must refuse, not fail on the import."""
    import sys

    from casework import create_app
    from tests.test_production_config import production_settings

    monkeypatch.setitem(sys.modules, "faker", None)  # `import faker` now raises ImportError
    app = create_app(production_settings(settings))
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--cases", "1"])
    assert result.exit_code != 0
    assert not isinstance(result.exception, ImportError), result.exception
    assert "refused in production" in result.output
