"""``flask import``: spreadsheet imports from the command line, with the same steps as the web.

    flask --app casework import cases FILE --as coordinator@example.org [--map "Header=fact" ...]
        [--mapping mapping.json] [--value "fact:cell=code" ...] [--dry-run | --vouch] [--source TEXT]
    flask --app casework import resume RUN_ID --as coordinator@example.org

Columns come from `--mapping`/`--map`, else from the layout saved for the same header row, else from
the headers themselves; whatever is used is saved for the next file. Row problems are written in
`--language`, as the web shows them in the coordinator's.
"""

import json
from collections import Counter
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from casework.clock import utcnow
from casework.config import LOCALES
from casework.extensions import db
from casework.imports import facts, importing, operations, sealing
from casework.imports.headers import suggest_columns
from casework.imports.sheets import SheetRefused
from casework.models import User
from casework.models.imports import ImportRun
from casework.permissions import can

import_cli = AppGroup("import", help="Import cases from the foundation's spreadsheets.")


def _coordinator(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not can(user, "cases.import"):
        raise click.ClickException(f"{email} is not an active account allowed to import cases.")
    return user


def _columns(headers, run: ImportRun, mapping: dict, maps: tuple[str, ...]) -> list[str]:
    chosen = dict(mapping.get("columns", {}))
    for item in maps:
        header, _, fact = item.partition("=")
        chosen[header.strip()] = fact.strip()
    missing = sorted(set(chosen) - set(headers))
    if missing:
        raise click.ClickException(f"The file has no column named {', '.join(missing)}. Its columns: {', '.join(headers)}.")
    wrong = sorted(fact for fact in chosen.values() if fact and fact not in facts.FACTS)
    if wrong:
        raise click.ClickException(f"Not a fact Casework imports: {', '.join(wrong)}. Facts: {', '.join(facts.FACTS)}.")
    base = operations.columns_of(run) or ([] if chosen else suggest_columns(headers))
    columns = [chosen.get(header, base[index] if index < len(base) else "") for index, header in enumerate(headers)]
    doubled = [fact for fact, count in Counter(column for column in columns if column).items() if count > 1]
    if doubled:
        raise click.ClickException(f"More than one column holds {', '.join(doubled)}.")
    if not any(columns):
        raise click.ClickException("No column is mapped to a fact: give --map HEADER=FACT or --mapping FILE.")
    return columns


def _values(mapping: dict, values: tuple[str, ...]) -> dict[str, dict[str, str]]:
    mapped = {
        fact: {facts.normal(cell): code for cell, code in cells.items()} for fact, cells in mapping.get("values", {}).items()
    }
    for item in values:
        fact, _, rest = item.partition(":")
        cell, _, code = rest.rpartition("=")
        mapped.setdefault(fact.strip(), {})[facts.normal(cell)] = code.strip()
    for fact, cells in mapped.items():
        allowed = {code for code, _label in facts.CODED.get(fact, [])}
        wrong = sorted(code for code in cells.values() if code not in allowed)
        if wrong:
            raise click.ClickException(f"{fact} has no choice {', '.join(wrong)}. Choices: {', '.join(sorted(allowed))}.")
    return mapped


def _print_report(reports) -> None:
    for report in reports:
        click.echo(f"row {report.checked.number}: {report.outcome}")
        for name, messages in report.checked.problems.items():
            for message in messages:
                click.echo(f"    {report.checked.labels.get(name, name)}: {message}")
        for _case_id, matched_on in report.matches:
            click.echo(f"    looks like a person already recorded (matched on {', '.join(matched_on)})")
        for number in report.same_as:
            click.echo(f"    looks like the same person as row {number}")
    counts = Counter(report.outcome for report in reports)
    click.echo(f"{counts['new']} new, {counts['duplicate']} possible duplicates, {counts['refused']} would not be imported.")


@import_cli.command("cases")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "email", required=True, help="The coordinator who imports, and vouches for the consent.")
@click.option("--map", "maps", multiple=True, metavar="HEADER=FACT", help="The fact a column holds (repeatable).")
@click.option(
    "--mapping",
    "mapping_file",
    type=click.File(encoding="utf-8"),
    help='JSON: {"columns": {header: fact}, "values": {fact: {cell: code}}}.',
)
@click.option(
    "--value",
    "values",
    multiple=True,
    metavar="FACT:CELL=CODE",
    help="What an unknown cell of a coded column means (repeatable).",
)
@click.option("--source", help="Where the people's earlier consent is recorded (default: the file's name).")
@click.option(
    "--vouch", is_flag=True, help="Confirm that every person in the file agreed earlier that the foundation stores their data."
)
@click.option("--dry-run", is_flag=True, help="Only report what would be done with each row (and why); write no case.")
@click.option("--language", type=click.Choice(LOCALES), default="en", show_default=True, help="Language of the row report.")
@click.option("--batch", default=importing.BATCH, show_default=True, help="Rows per transaction.")
def import_cases(path, email, maps, mapping_file, values, source, vouch, dry_run, language, batch) -> None:
    """Import the cases of a CSV or XLSX file."""
    actor = _coordinator(email)
    if not dry_run and not vouch:
        raise click.ClickException("Nothing imported: add --vouch to confirm the people consented earlier, or --dry-run.")
    mapping = json.load(mapping_file) if mapping_file else {}
    with force_locale(language):
        try:
            run, sheet = operations.start_run(actor, path.name, path.read_bytes())
        except SheetRefused as refusal:
            raise click.ClickException(str(refusal)) from None
        layout = operations.save_layout(run, sheet.headers, _columns(sheet.headers, run, mapping, maps), actor)
        operations.map_values(layout, _values(mapping, values))
        for header, fact in zip(sheet.headers, layout.facts, strict=True):
            click.echo(f"  {header} -> {fact or '(left out)'}")
        for fact, cells in importing.interpreter_for(run).unknown_values(sheet.rows).items():
            click.echo(f"Unknown values of {fact} (their rows fail; map them with --value): {', '.join(cells)}")
        if dry_run:
            _print_report(importing.dry_run(run, actor))
    if dry_run:
        operations.abandon(run, actor)
        db.session.commit()
        return
    sealing.set_source(run, source or path.name)
    run.vouched_by_id, run.vouched_at = actor.id, utcnow()
    db.session.commit()
    _run(run.id, actor, batch)


@import_cli.command("resume")
@click.argument("run_id")
@click.option("--as", "email", required=True, help="The coordinator who imports, and vouches for the consent.")
@click.option("--batch", default=importing.BATCH, show_default=True, help="Rows per transaction.")
def resume(run_id, email, batch) -> None:
    """Go on with an import that was interrupted: rows already handled are skipped."""
    actor = _coordinator(email)
    run = db.session.get(ImportRun, run_id)
    if run is None or run.state not in ("interrupted", "importing"):
        raise click.ClickException("There is no interrupted import with this id.")
    _run(run.id, actor, batch)


def _run(run_id: str, actor: User, batch: int) -> None:
    try:
        importing.import_run(run_id, actor, batch=batch, label="Importing rows")
    except Exception as error:
        raise click.ClickException(
            f"The import stopped ({type(error).__name__}); what was committed stays. Resume it with: "
            f"flask --app casework import resume {run_id} --as {actor.email}"
        ) from None
    run = db.session.get(ImportRun, run_id)
    outcomes = importing.outcomes(run)
    for row in outcomes:
        if row.state == "refused":
            click.echo(f"  row {row.row_number} not imported: {row.problems.replace(',', ', ')}")
        elif row.case.possible_duplicate:
            click.echo(f"  row {row.row_number} created, queued as a possible duplicate")
    created = sum(1 for row in outcomes if row.state == "created")
    click.echo(f"Import {run_id} done: {created} cases created, {len(outcomes) - created} rows not imported.")
