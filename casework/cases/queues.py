"""What coordinators work from: the queues of cases waiting for them, and whom they can assign."""

from datetime import timedelta

from sqlalchemy import func, select

from casework.choices import OPEN_STATUSES
from casework.clock import utcnow
from casework.extensions import db
from casework.models import Case, CaseTag, Partner, Role, User
from casework.permissions import roles_with


def unassigned_cases() -> list[Case]:
    return db.session.scalars(
        select(Case).where(Case.assignee_id.is_(None), Case.status.in_(OPEN_STATUSES)).order_by(Case.created_at)
    ).all()


def cases_missing_information() -> list[Case]:
    """Open cases where a missing fact keeps the rules from deciding on a proposal."""
    blocked = select(CaseTag.case_id).where(CaseTag.needs != "", CaseTag.decision.is_(None))
    return db.session.scalars(
        select(Case).where(Case.id.in_(blocked), Case.status.in_(OPEN_STATUSES)).order_by(Case.created_at)
    ).all()


def new_this_week() -> list[Case]:
    """Every intake of the last seven days, whoever logged it, newest first."""
    since = utcnow() - timedelta(days=7)
    return db.session.scalars(select(Case).where(Case.created_at >= since).order_by(Case.created_at.desc())).all()


def possible_duplicates() -> list[Case]:
    return db.session.scalars(select(Case).where(Case.possible_duplicate).order_by(Case.created_at)).all()


def assignable_volunteers() -> list[User]:
    """Active volunteers who finished setting up (an account that never enrolled its second factor
    cannot sign in to work a case), the least loaded first."""
    open_cases = func.count(Case.id).filter(Case.status.in_(OPEN_STATUSES))
    return db.session.scalars(
        select(User)
        .join(Role, User.role_id == Role.id)
        .outerjoin(Case, Case.assignee_id == User.id)
        .where(Role.name.in_(roles_with("cases.be_assigned")), User.active, User.tf_primary_method.is_not(None))
        .group_by(User.id)
        .order_by(open_cases, User.email)
    ).all()


def active_partners() -> list[Partner]:
    return db.session.scalars(select(Partner).where(Partner.active).order_by(Partner.name)).all()
