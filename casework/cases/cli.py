"""Scheduled and bulk work on cases: ``deadlines digest``, ``retention run``, ``audit verify|head``
and ``demo seed``. Long runs show a progress bar and commit in batches."""

from datetime import date, timedelta

import click
from dateutil.relativedelta import relativedelta
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from casework import audit
from casework.choices import OPEN_STATUSES
from casework.extensions import db
from casework.models import Case, Deadline, Person, Role, User
from casework.models.user import utcnow
from casework.people.erasure import erase_person

deadlines_cli = AppGroup("deadlines", help="Deadline reports for scheduled jobs.")
retention_cli = AppGroup("retention", help="Erase people whose cases closed long ago (S17).")
audit_cli = AppGroup("audit", help="Check the audit trail's hash chain.")


def _theirs(query, user: User, role: str):
    """Coordinators answer for every case, volunteers for those assigned to them."""
    return query if role == "coordinator" else query.where(Case.assignee_id == user.id)


@deadlines_cli.command("digest")
@click.option("--days", type=int, help="Window in days (default: CASEWORK_WARNING_DAYS).")
def digest(days: int | None) -> None:
    """Per user with open cases, how many have a deadline in the window: counts only, no names."""
    days = days or current_app.config["CASEWORK_WARNING_DAYS"]
    today = date.today()
    due_cases = (
        select(Deadline.case_id).where(Deadline.due_on >= today - timedelta(days=90), Deadline.due_on <= today + timedelta(days=days))
    )
    open_cases = select(func.count(Case.id)).where(Case.status.in_(OPEN_STATUSES))
    base = select(func.count(func.distinct(Case.id))).where(Case.id.in_(due_cases), Case.status.in_(OPEN_STATUSES))
    staff = db.session.execute(
        select(User, Role.name).join(Role, User.role_id == Role.id)
        .where(User.active, Role.name.in_(("volunteer", "coordinator"))).order_by(User.email)
    ).all()  # fmt: skip
    for user, role in staff:
        if not db.session.scalar(_theirs(open_cases, user, role)):
            continue
        count = db.session.scalar(_theirs(base, user, role))
        click.echo(f"{user.email}: {count} cases with deadlines in the next {days} days")


def _expired_people(months: int):
    """People not yet erased, with at least one case, all of whose cases closed over `months` ago."""
    cutoff = utcnow() - relativedelta(months=months)
    still_open_or_recent = select(Case.person_id).where((Case.closed_at.is_(None)) | (Case.closed_at > cutoff))
    return (
        select(Person.id)
        .where(Person.erased_at.is_(None), Person.id.in_(select(Case.person_id)), Person.id.not_in(still_open_or_recent))
        .order_by(Person.id)
    )


@retention_cli.command("run")
@click.option("--months", type=int, help="Erase after this many months closed (default: CASEWORK_RETENTION_MONTHS).")
@click.option("--dry-run", is_flag=True, help="Only count who would be erased.")
@click.option("--batch", default=100, show_default=True)
def retention_run(months: int | None, dry_run: bool, batch: int) -> None:
    """Crypto-shred people whose cases have all been closed longer than the retention period."""
    months = months or current_app.config["CASEWORK_RETENTION_MONTHS"]
    people = db.session.scalars(_expired_people(months)).all()
    if dry_run:
        click.echo(f"{len(people)} people would be erased (cases closed over {months} months ago).")
        return
    with click.progressbar(length=len(people), label="Erasing", show_pos=True) as bar:
        for start in range(0, len(people), batch):
            for person_id in people[start : start + batch]:
                person = db.session.get(Person, person_id)
                audit.record("person_erased_retention", person=person, detail=str(months))
                erase_person(person)
            db.session.commit()
            bar.update(len(people[start : start + batch]))
    click.echo(f"{len(people)} people erased; their cases' coded facts remain for statistics.")


@audit_cli.command("verify")
def verify() -> None:
    """Exit 0 if the chain is intact; otherwise name the first row edited, deleted or reordered."""
    verdict = audit.verify()
    if verdict.first_bad_seq is None:
        click.echo(f"intact: {verdict.rows} rows")
        return
    click.echo(f"BROKEN at row {verdict.first_bad_seq}: {verdict.reason}")
    raise SystemExit(1)


@audit_cli.command("head")
def head() -> None:
    """The newest row's number and hash: keep it somewhere else to detect a rewritten trail later."""
    seq, digest_hex = audit.head_digest()
    click.echo(f"{seq} {digest_hex}")
