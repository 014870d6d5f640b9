"""The rules of account administration, usable from a request or from the command line.

Each function changes the models, writes an audit event in the same transaction and leaves the commit
to its caller (the request, or the CLI command).
"""

import uuid

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_security.recoverable import generate_reset_password_token
from sqlalchemy import func, select

from casework import audit
from casework.auth.sessions import end_all_sessions
from casework.extensions import db, security
from casework.i18n import _l
from casework.models import Partner, Role, User


class AdminError(Exception):
    """A refused change; the message is translated and safe to show."""


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _role(name: str) -> Role:
    role = db.session.scalar(select(Role).where(Role.name == name))
    if role is None:
        raise AdminError(_l("Unknown role."))
    return role


def setup_link(user: User) -> str:
    """A one-time link to set a password (then enrol a second factor); it dies once used or expired."""
    token = generate_reset_password_token(user)
    path = current_app.url_map.bind("localhost").build("security.reset_password", {"token": token})
    return current_app.config["CASEWORK_BASE_URL"].rstrip("/") + path


def invite_user(email: str, role_name: str, actor: User | None = None, *, is_demo: bool = False) -> User:
    """A new account, refused for an address the sign-in form would refuse (the command line has no
    form to check it first)."""
    email = email.strip()
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as invalid:
        raise AdminError(_l("Enter a valid e-mail address.")) from invalid
    if find_user(email) is not None:
        raise AdminError(_l("An account with this e-mail address already exists."))
    user = User(email=email, role=_role(role_name), fs_uniquifier=uuid.uuid4().hex, is_demo=is_demo)
    db.session.add(user)
    db.session.flush()
    audit.record("user_invited", actor=actor, target=user, detail=role_name)
    return user


def issue_setup_link(user: User, actor: User | None = None) -> str:
    audit.record("setup_link_issued", actor=actor, target=user)
    return setup_link(user)


def _other_active_admins(user: User) -> int:
    return db.session.scalar(
        select(func.count(User.id)).join(User.role).where(Role.name == "admin", User.active, User.id != user.id)
    )


def _refuse_if_last_admin(user: User) -> None:
    if user.role_name == "admin" and _other_active_admins(user) == 0:
        raise AdminError(_l("This is the last active administrator; appoint another one first."))


def _refuse_if_self(user: User, actor: User | None) -> None:
    if actor is not None and actor.id == user.id:
        raise AdminError(_l("You cannot do this to your own account."))


def change_role(user: User, role_name: str, actor: User | None = None) -> None:
    if role_name == user.role_name:
        return
    _refuse_if_self(user, actor)
    _refuse_if_last_admin(user)
    user.role = _role(role_name)
    end_all_sessions(user)
    audit.record("role_changed", actor=actor, target=user, detail=role_name)


def deactivate(user: User, actor: User | None = None) -> None:
    _refuse_if_self(user, actor)
    _refuse_if_last_admin(user)
    user.active = False
    end_all_sessions(user)
    audit.record("user_deactivated", actor=actor, target=user)


def reactivate(user: User, actor: User | None = None) -> None:
    user.active = True
    audit.record("user_reactivated", actor=actor, target=user)


def reset_second_factor(user: User, actor: User | None = None) -> None:
    """The user must enrol a new authenticator at their next sign-in; their sessions end now."""
    security.datastore.tf_reset(user)
    user.tf_totp_last_counter = None
    end_all_sessions(user)
    audit.record("second_factor_reset", actor=actor, target=user)


def add_partner(name: str, actor: User | None = None) -> Partner:
    name = name.strip()
    if db.session.scalar(select(Partner).where(func.lower(Partner.name) == name.lower())) is not None:
        raise AdminError(_l("A partner with this name exists already."))
    partner = Partner(name=name)
    db.session.add(partner)
    db.session.flush()
    audit.record("partner_added", actor=actor, detail=str(partner.id))
    return partner


def set_partner_active(partner: Partner, active: bool, actor: User | None = None) -> None:
    """Deactivated partners stay in the records of earlier referrals but get no new ones."""
    partner.active = active
    audit.record("partner_activated" if active else "partner_deactivated", actor=actor, detail=str(partner.id))
