"""What coordinators work from: the queues of cases waiting for them, and whom they can assign.

Each queue is a query, read a page at a time (casework.paging): a queue can hold thousands of cases
when a hundred thousand are open, and loading and rendering them all made its page grow with them."""

from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from sqlalchemy import Row, Select, func, select

from casework.cases.due import due_and_missed
from casework.choices import OPEN_STATUSES
from casework.clock import utcnow
from casework.extensions import db
from casework.models import Case, CaseTag, Partner, Role, User
from casework.permissions import roles_with


def unassigned_cases() -> Select:
    """Open cases nobody works on yet, oldest first."""
    return select(Case).where(Case.assignee_id.is_(None), Case.status.in_(OPEN_STATUSES)).order_by(Case.created_at, Case.id)


def cases_missing_information() -> Select:
    """Open cases where a missing fact keeps the rules from deciding on a proposal."""
    blocked = select(CaseTag.case_id).where(CaseTag.needs != "", CaseTag.decision.is_(None))
    return select(Case).where(Case.id.in_(blocked), Case.status.in_(OPEN_STATUSES)).order_by(Case.created_at, Case.id)


def new_this_week() -> Select:
    """Every intake of the last seven days, whoever logged it, newest first."""
    since = utcnow() - timedelta(days=7)
    return select(Case).where(Case.created_at >= since).order_by(Case.created_at.desc(), Case.id)


def possible_duplicates() -> Select:
    return select(Case).where(Case.possible_duplicate).order_by(Case.created_at, Case.id)


#: How far each volunteer's open cases are counted to order the assign form. Past this many, a
#: volunteer is simply busy: counting every one of a busy volunteer's cases made every case page and
#: the case list read tens of thousands of rows at 100,000 cases (benchmarks/cases.py).
LOAD_COUNTED_UP_TO = 50


def assignable_volunteers() -> list[Row]:
    """(id, email) of the active volunteers who finished setting up (an account that never enrolled
    its second factor cannot sign in to work a case), the least loaded first (open cases counted up
    to LOAD_COUNTED_UP_TO, from the index on assignee and status), then by address. Every case page
    asks, for its assign form: two columns, from a statement built once."""
    return db.session.execute(_assignable_volunteers(LOAD_COUNTED_UP_TO)).all()


@cache
def _assignable_volunteers(counted_up_to: int) -> Select:
    some_open = (
        select(Case.id)
        .where(Case.assignee_id == User.id, Case.status.in_(OPEN_STATUSES))
        .limit(counted_up_to)
        .correlate(User)
        .subquery()
    )
    load = select(func.count()).select_from(some_open).scalar_subquery()
    return (
        select(User.id, User.email)
        .join(Role, User.role_id == Role.id)
        .where(Role.name.in_(roles_with("cases.be_assigned")), User.active, User.tf_primary_method.is_not(None))
        .order_by(load, User.email)
    )


def assignee_choices() -> list[tuple[int, str]]:
    """(id, address) of every account that may be assigned cases, by address, for the case list's
    filter: an account since deactivated or not yet set up is listed too, because the cases it still
    holds must stay findable. Two columns and no count of anyone's cases: the filter needs no order
    by load, and computing one took 6.6% of the case list's CPU in a profile. The statement is built once."""
    return db.session.execute(_assignee_choices()).all()


@cache
def _assignee_choices() -> Select:
    return (
        select(User.id, User.email)
        .join(Role, User.role_id == Role.id)
        .where(Role.name.in_(roles_with("cases.be_assigned")))
        .order_by(User.email)
    )


@dataclass
class Load:
    volunteer: User
    open: int
    due_this_week: int
    overdue: int


def workload() -> list[Load]:
    """Per active volunteer: open cases, and how many of them have a deadline this week or a missed
    one (up to OVERDUE_DAYS back); the most loaded first. Only the volunteers' open cases near a
    deadline are decrypted (their bands say which)."""
    open_cases = func.count(Case.id).filter(Case.status.in_(OPEN_STATUSES))
    rows = db.session.execute(
        select(User, open_cases)
        .join(Role, User.role_id == Role.id)
        .outerjoin(Case, Case.assignee_id == User.id)
        .where(User.active, Role.name.in_(roles_with("cases.be_assigned")))
        .group_by(User.id)
        .order_by(open_cases.desc(), User.email)
    ).all()
    loads = []
    for volunteer, count in rows:
        theirs = select(Case).where(Case.assignee_id == volunteer.id, Case.status.in_(OPEN_STATUSES))
        soon, missed = due_and_missed(theirs, 7)
        loads.append(Load(volunteer, count, len(soon), len(missed)))
    return loads


def active_partners() -> list[Partner]:
    return db.session.scalars(select(Partner).where(Partner.active).order_by(Partner.name)).all()
