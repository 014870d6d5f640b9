"""``flask --app casework documents sweep``: remove document files that no row refers to.

Files are deleted after the commit that releases them (`casework.people.documents`), so a process
killed between that commit and the deletion, or between writing a file and committing its row,
leaves a file without a row: sealed, so harmless, but a copy of someone's data that should not stay.
Files younger than `--min-age` are left alone, because a transaction still under way may be about
to commit the row that refers to them. The sweep also ends spreadsheet imports past their expiry
(their sealed upload deleted, their key shredded) and removes uploads that no import refers to.
"""

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from casework.extensions import db
from casework.imports.operations import expire_runs, stray_files
from casework.models import Document
from casework.people.documents import file_path, referenced_names

documents_cli = AppGroup("documents", help="Look after the encrypted document files.")


def unreferenced_files(min_age_seconds: float) -> list[Path]:
    folder = Path(current_app.config["CASEWORK_DOCUMENT_DIR"])
    if not folder.is_dir():
        return []
    names, cutoff = referenced_names(db.session), time.time() - min_age_seconds
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name not in names and p.stat().st_mtime <= cutoff)


def missing_files() -> int:
    """How many document rows have no file: what a backup restored without its documents shows."""
    return sum(1 for document in db.session.scalars(select(Document)) if not file_path(document).is_file())


@documents_cli.command("sweep")
@click.option("--min-age", default=60, show_default=True, help="Leave files younger than this many minutes.")
@click.option("--dry-run", is_flag=True, help="Only count the files that would be removed.")
def sweep(min_age: int, dry_run: bool) -> None:
    """Remove files that no document row refers to, and the uploads of imports past their expiry or
    that no import refers to; report rows whose file is missing."""
    if not dry_run:
        expired = expire_runs()
        db.session.commit()
        click.echo(f"{expired} unfinished imports expired; their files were deleted.")
    unreferenced = unreferenced_files(min_age * 60) + stray_files(min_age * 60)
    if dry_run:
        click.echo(f"{len(unreferenced)} files would be removed.")
    else:
        with click.progressbar(unreferenced, label="Removing unreferenced files", show_pos=True) as files:
            for path in files:
                path.unlink(missing_ok=True)
        click.echo(f"{len(unreferenced)} files that no row refers to were removed.")
    if missing := missing_files():
        raise click.ClickException(
            f"{missing} document rows have no file: restore the documents folder from the backup made with the database."
        )
