"""``flask --app casework stats ...``: make a release from the command line, and read the ledger."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from casework.extensions import db
from casework.models import LedgerEntry, Release
from casework.stats import ledger, operations
from casework.stats.privacy import epsilon_text

stats_cli = AppGroup("stats", help="Differentially private statistics releases.")


@stats_cli.command("release")
@click.option("--period", required=True, help="A quarter that has ended, e.g. 2026Q3.")
@click.option("--if-missing", is_flag=True, help="Do nothing if the period was released already.")
def release(period: str, if_missing: bool) -> None:
    """Request, approve and publish the release of one period (an admin's command)."""
    existing = db.session.scalar(select(Release).where(Release.period == period))
    if existing is not None and existing.status == "published" and if_missing:
        click.echo(f"{period} is released already.")
        return
    try:
        made = existing or operations.request_release(period, None)
        operations.publish(made, None)
    except (operations.ReleaseRefused, ledger.BudgetRefused) as refusal:
        raise click.ClickException(str(refusal)) from None
    db.session.commit()
    spent = ledger.spent_in(period)
    click.echo(
        f"Released {period} on {made.released_on}: epsilon {epsilon_text(spent)} for the period (each table's in its export)."
    )


@stats_cli.command("ledger")
def show_ledger() -> None:
    """Budget spent per period and table, and against the caps."""
    caps = ledger.caps()
    entries = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.period, LedgerEntry.table_id)).all()
    for entry in entries:
        cost = f"epsilon {epsilon_text(entry.epsilon + entry.borrowed)}"
        if entry.borrowed:
            cost += f" ({epsilon_text(entry.epsilon)} its own, {epsilon_text(entry.borrowed)} the total's)"
        click.echo(f"{entry.period}\t{entry.table_id}\t{cost}")
    for period in sorted({entry.period for entry in entries}):
        click.echo(f"{period}\tspent epsilon {epsilon_text(ledger.spent_in(period))}")
    click.echo(
        f"caps: {epsilon_text(caps['table'])} per table, {epsilon_text(caps['period'])} per period, "
        f"{epsilon_text(caps['lifetime'])} lifetime; lifetime spent {epsilon_text(ledger.spent_over_lifetime())}"
    )
