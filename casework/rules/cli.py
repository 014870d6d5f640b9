"""``flask --app casework rules ...``: re-evaluate open cases after a rule or baseline change, and
check a baseline file before uploading it."""

from pathlib import Path

import click
from flask.cli import AppGroup

from casework.rules import engine
from casework.rules.tagging import reevaluate_open_cases

rules_cli = AppGroup("rules", help="Proposal rules and policy baselines.")


@rules_cli.command("reevaluate")
@click.option("--batch", default=200, show_default=True, help="Cases per transaction.")
def reevaluate(batch: int) -> None:
    """Re-evaluate every open case today (after an upgrade or a rule change); prints what changed and
    why, as counts by rule only."""
    count, change, baseline = reevaluate_open_cases(batch=batch, label="Re-evaluating open cases")
    click.echo(
        f"{count} open cases evaluated with baseline {baseline.version}: "
        f"{change.added} tags added, {change.removed} removed, {change.changed} changed."
    )
    order = {rule_id: number for number, rule_id in enumerate(engine.rules_by_id())}
    for (rule_id, before, after), tags in sorted(
        change.why.items(), key=lambda item: (order.get(item[0][0], len(order)), item[0])
    ):
        click.echo(f'  {rule_id}: {tags} tags from "{before}" to "{after}"')


@rules_cli.command("check-baseline")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_baseline(path: Path) -> None:
    """Validate a baseline file against the rule table, as the upload page will."""
    try:
        baseline = engine.parse_baseline(path.read_text(), engine.rules_by_id(), path.name)
    except engine.RuleFileError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(
        f"{path.name}: baseline {baseline.version}, in force from {baseline.effective_from}, covers {len(baseline.coverage)} rules."
    )
