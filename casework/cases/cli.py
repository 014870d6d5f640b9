"""Scheduled and bulk work on cases: ``deadlines digest|refresh``, ``retention run``, ``audit verify|head``
and ``demo seed``. Long runs show a progress bar and commit in batches."""

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale, ngettext
from sqlalchemy import func, select

from casework import audit
from casework.cases.deadlines import OVERDUE_DAYS
from casework.cases.due import due_and_missed, refresh_all
from casework.cases.retention import erase_expired, expired_people
from casework.choices import OPEN_STATUSES
from casework.extensions import db
from casework.i18n import _
from casework.models import Case, User
from casework.permissions import can, visible_cases

deadlines_cli = AppGroup("deadlines", help="Deadline reports for scheduled jobs.")
retention_cli = AppGroup("retention", help="Erase people whose cases closed long ago (S17).")
audit_cli = AppGroup("audit", help="Check the audit trail's hash chain.")


@deadlines_cli.command("digest")
@click.option("--days", type=int, help="Window in days (default: CASEWORK_WARNING_DAYS).")
def digest(days: int | None) -> None:
    """Per user with open cases: how many have a deadline in the next DAYS days, and how many have
    missed one (up to OVERDUE_DAYS back), each in the user's own language. Counts only, no names,
    for the terminal: no timer runs it, since counts kept day after day in a log date the deadlines
    (the day a user's count goes up is a deadline less DAYS days)."""
    days = days or current_app.config["CASEWORK_WARNING_DAYS"]
    for user in db.session.scalars(select(User).where(User.active).order_by(User.email)):
        if not can(user, "cases.work"):
            continue
        theirs = visible_cases(user).where(Case.status.in_(OPEN_STATUSES))
        upcoming, missed = due_and_missed(theirs, days)
        if upcoming or missed:
            with force_locale(user.locale or "en"):
                click.echo(digest_line(user.email, len(upcoming), len(missed), days))


def digest_line(email: str, upcoming: int, missed: int, days: int) -> str:
    return _(
        "%(email)s: %(upcoming)s; %(missed)s",
        email=email,
        upcoming=ngettext(
            "%(num)d case with a deadline in the next %(days)d days",
            "%(num)d cases with a deadline in the next %(days)d days",
            upcoming,
            days=days,
        ),
        missed=ngettext(
            "%(num)d case with a deadline missed in the last %(back)d days",
            "%(num)d cases with a deadline missed in the last %(back)d days",
            missed,
            back=OVERDUE_DAYS,
        ),
    )


@deadlines_cli.command("refresh")
@click.option("--batch", default=500, show_default=True)
def refresh(batch: int) -> None:
    """Recompute every case's encrypted deadlines and coarse band as of today; run daily (and once
    after upgrading), so that the "Due soon" list reads only the cases that are due. Idempotent."""
    total = db.session.scalar(select(func.count()).select_from(Case))
    with click.progressbar(length=total, label="Refreshing deadlines", show_pos=True) as bar:
        for done in refresh_all(batch):
            bar.update(done)
    audit.record("deadlines_refreshed", detail=str(total))
    db.session.commit()
    click.echo(f"{total} cases refreshed.")


@retention_cli.command("run")
@click.option("--months", type=int, help="Erase after this many months closed (default: CASEWORK_RETENTION_MONTHS).")
@click.option("--dry-run", is_flag=True, help="Only count who would be erased.")
@click.option("--batch", default=100, show_default=True)
def retention_run(months: int | None, dry_run: bool, batch: int) -> None:
    """Crypto-shred people whose cases have all been closed longer than the retention period."""
    months = months or current_app.config["CASEWORK_RETENTION_MONTHS"]
    if dry_run:
        click.echo(f"{len(expired_people(months))} people would be erased (cases closed over {months} months ago).")
        return
    erased = erase_expired(months, batch=batch, label="Erasing")
    click.echo(f"{erased} people erased; their cases' coded facts remain for statistics.")


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
