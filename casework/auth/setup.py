"""Binds Flask-Security, CSRF, sessions and the sign-in throttle to the app with Casework's rules."""

from datetime import timedelta

from flask import Flask
from flask_security import LoginForm

from casework.auth import sessions, throttle
from casework.auth.datastore import UserDatastore
from casework.auth.session_store import init_session_store
from casework.config import PROJECT_ROOT
from casework.crypto import derive_key
from casework.extensions import csrf, db, limiter, security
from casework.models import Role, User


class SignInForm(LoginForm):
    """Flask-Security's sign-in form without "remember me": a long-lived cookie would survive the
    server-side session revocation that S11 requires."""

    remember = None


def security_settings(app: Flask) -> dict:
    invite_hours = app.config["CASEWORK_INVITE_HOURS"]
    return {
        "SECURITY_PASSWORD_HASH": "argon2",
        "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS": {"argon2__type": "ID"},
        # argon2id alone, without an HMAC "pepper" tied to the secret key, so rotating that key
        # does not lock everyone out.
        "SECURITY_PASSWORD_SINGLE_HASH": True,
        "SECURITY_PASSWORD_LENGTH_MIN": 15,
        "SECURITY_PASSWORD_COMPLEXITY_CHECKER": None,
        "SECURITY_PASSWORD_CHECK_BREACHED": False,
        "SECURITY_RETURN_GENERIC_RESPONSES": True,
        "SECURITY_TWO_FACTOR": True,
        "SECURITY_TWO_FACTOR_REQUIRED": True,
        "SECURITY_TWO_FACTOR_ENABLED_METHODS": ["authenticator"],
        "SECURITY_TWO_FACTOR_ALWAYS_VALIDATE": True,
        "SECURITY_TWO_FACTOR_RESCUE_EMAIL": False,
        "SECURITY_TOTP_SECRETS": {1: derive_key(app.config["SECRET_KEY"], "totp-secrets")},
        "SECURITY_TOTP_ISSUER": "Casework",
        "SECURITY_MULTI_FACTOR_RECOVERY_CODES": False,
        # Invitations and password resets are one-time links an admin hands over; no e-mail is sent.
        "SECURITY_RECOVERABLE": True,
        "SECURITY_RESET_PASSWORD_WITHIN": timedelta(hours=invite_hours),
        "SECURITY_SEND_PASSWORD_RESET_EMAIL": False,
        "SECURITY_SEND_PASSWORD_RESET_NOTICE_EMAIL": False,
        # A setup link is an invitation: after choosing a password the invitee goes straight on to
        # enrolling the authenticator (Flask-Security sends anyone without a second factor there),
        # and is signed in only once that is done; no detour through the sign-in page. (The setting
        # is deprecated upstream because a plain reset should not sign anyone in; here the second
        # factor is still required before any page opens.)
        "SECURITY_AUTO_LOGIN_AFTER_RESET": True,
        "SECURITY_RESET_PASSWORD_TEMPLATE": "security/choose_password.html",
        "SECURITY_CHANGEABLE": True,
        "SECURITY_SEND_PASSWORD_CHANGE_EMAIL": False,
        "SECURITY_REGISTERABLE": False,
        "SECURITY_TRACKABLE": False,
        # `User.roles` is the joined `role` as a list (casework.auth.datastore): nothing to join.
        "SECURITY_JOIN_USER_ROLES": False,
        "SECURITY_LOGOUT_METHODS": ["POST"],
        "SECURITY_API_ENABLED_METHODS": ["session"],
        "SECURITY_DEFAULT_REMEMBER_ME": False,
        "SECURITY_EMAIL_VALIDATOR_ARGS": {"check_deliverability": False},
        "SECURITY_I18N_DIRNAME": ["builtin", str(PROJECT_ROOT / "translations")],
        "SECURITY_POST_LOGIN_VIEW": "main.home",
        "SECURITY_POST_LOGOUT_VIEW": "security.login",
        "SECURITY_POST_RESET_VIEW": "security.login",
    }


def init_auth(app: Flask) -> None:
    for key, value in security_settings(app).items():
        app.config.setdefault(key, value)
    if app.config["CASEWORK_REDIS_URL"]:
        import redis

        app.config["SESSION_REDIS"] = redis.from_url(app.config["CASEWORK_REDIS_URL"])
    csrf.init_app(app)
    limiter.init_app(app)
    init_session_store(app)
    security.init_app(
        app,
        UserDatastore(db, User, Role),
        login_form=SignInForm,
    )
    throttle.init_throttle(app)
    sessions.init_sessions(app)
