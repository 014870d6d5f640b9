"""``flask --app casework stats ...``: make a release from the command line, and read the ledger."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from casework.extensions import db
from casework.models import LedgerEntry, Release
from casework.stats import ledger, operations

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
    click.echo(f"Released {period} on {made.released_on}: epsilon {operations.epsilon_per_table():.4f} per table.")


@stats_cli.command("ledger")
def show_ledger() -> None:
    """Budget spent per period and table, and against the caps."""
    caps = ledger.caps()
    for entry in db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.period, LedgerEntry.table_id)):
        click.echo(f"{entry.period}\t{entry.table_id}\tepsilon {entry.epsilon:.4f}")
    click.echo(f"caps: {caps['table']} per table, {caps['period']} per period, {caps['lifetime']} lifetime; "
               f"lifetime spent {ledger.spent_over_lifetime():.4f}")  # fmt: skip
