"""``flask --app casework backup create DEST`` and ``backup drill SRC``: backups that restore.

A backup is a folder holding a consistent copy of the database (SQLite's online backup API, or
`pg_dump` of one exported snapshot) together with exactly the document files that copy refers to,
and a manifest naming the key versions it needs (by check value, never the keys). The key file is
never in it: it is backed up separately (docs/encryption.md). Documents are copied before the
database snapshot and any file the snapshot refers to that appeared meanwhile is copied after it;
files are only deleted after the commit that stops referring to them, so every referenced file is
still there to copy.

The drill restores a backup into a scratch database and folder and proves it readable with the
current key file: every ring's versions, every data key, a sample of blind indexes, the audit chain,
every document.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from casework.clock import utcnow
from casework.extensions import db
from casework.key_checks import fingerprint, versions_in_use
from casework.models import KeyCheck
from casework.people.documents import names_per_document

backup_cli = AppGroup("backup", help="Make backups of the database and documents, and prove they restore.")

MANIFEST, SQLITE_FILE, PG_FILE, DOCUMENTS = "manifest.json", "casework.sqlite", "casework.dump", "documents"


def _pg_command(url: URL) -> tuple[str, dict]:
    """A libpq connection string without the password, which goes in the environment instead."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return plain, environment


def needed_keys(session: Session) -> dict[str, dict[str, str]]:
    """Per ring, the versions the rows use and the fingerprint of each one's check value."""
    checks = {(check.ring, check.version): fingerprint(check.value) for check in session.scalars(select(KeyCheck))}
    return {
        ring: {str(version): checks.get((ring, version), "not recorded") for version in sorted(counts)}
        for ring, counts in versions_in_use(session).items()
    }


@contextmanager
def _snapshot(url: URL, target: Path):
    """Copy the database into `target`; yield a session reading exactly what was copied."""
    if url.get_backend_name() == "sqlite":
        copy = target / SQLITE_FILE
        source, destination = sqlite3.connect(url.database), sqlite3.connect(copy)
        try:
            source.backup(destination)
        finally:
            source.close()
            destination.close()
        engine = create_engine(URL.create("sqlite", database=str(copy)), poolclass=NullPool)
        with Session(engine) as session:
            yield session
        engine.dispose()
        return
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection, connection.begin():
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar()
        plain, environment = _pg_command(url)
        dump = ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={target / PG_FILE}", plain]
        subprocess.run(dump, check=True, env=environment, capture_output=True)
        with Session(bind=connection) as session:
            yield session


def _copy_files(source: Path, destination: Path, names, skip: Path) -> int:
    copied = 0
    for name in names:
        path = source / name
        if path.is_file() and path.resolve() != skip and not (destination / name).exists():
            shutil.copy2(path, destination / name)
            copied += 1
    return copied


@backup_cli.command("create")
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
def create(destination: Path) -> None:
    """Write DESTINATION/casework-<time>/: the database, its document files and a manifest; no keys."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    folder = Path(current_app.config["CASEWORK_DOCUMENT_DIR"])
    key_file = Path(current_app.config["CASEWORK_KEY_FILE"]).resolve()
    target = destination / f"casework-{utcnow():%Y%m%dT%H%M%S%fZ}"
    documents = target / DOCUMENTS
    documents.mkdir(mode=0o700, parents=True)
    present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    with click.progressbar(present, label="Copying documents", show_pos=True) as names:
        _copy_files(folder, documents, names, key_file)
    with _snapshot(url, target) as session:
        names = names_per_document(session)
        referenced = {name for pair in names for name in pair}
        _copy_files(folder, documents, sorted(referenced), key_file)
        manifest = {
            "created_at": utcnow().isoformat(timespec="seconds") + "Z",
            "database": url.get_backend_name(),
            "documents": len(names),
            "needs_keys": needed_keys(session),
        }
    for stray in documents.iterdir():
        if stray.name not in referenced:
            stray.unlink()
    copied = {p.name for p in documents.iterdir()}
    missing = [pair for pair in names if not copied & set(pair)]
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2))
    if missing:
        raise click.ClickException(
            f"{len(missing)} document files the database refers to are missing: this backup is incomplete."
        )
    click.echo(f"Backup written to {target}: database, {len(names)} document files, no keys.")


@contextmanager
def restored(source: Path, live_url: URL):
    """Restore a backup into a scratch database and folder; yield (database URL, documents folder)."""
    manifest = json.loads((source / MANIFEST).read_text())
    scratch = Path(tempfile.mkdtemp(prefix="casework-drill-"))
    shutil.copytree(source / DOCUMENTS, scratch / DOCUMENTS)
    if manifest["database"] == "sqlite":
        shutil.copy2(source / SQLITE_FILE, scratch / SQLITE_FILE)
        try:
            yield URL.create("sqlite", database=str(scratch / SQLITE_FILE)), scratch / DOCUMENTS
        finally:
            shutil.rmtree(scratch)
        return
    name = f"casework_drill_{uuid.uuid4().hex[:12]}"
    admin = create_engine(live_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = live_url.set(database=name)
    try:
        plain, environment = _pg_command(url)
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={plain}", str(source / PG_FILE)],
            check=True,
            env=environment,
            capture_output=True,
        )
        yield url, scratch / DOCUMENTS
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(scratch)


@backup_cli.command("drill")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--sample", default=200, show_default=True, help="People whose blind indexes are recomputed.")
def drill(source: Path, sample: int) -> None:
    """Restore SOURCE into a scratch database and folder and prove that the current key file reads it."""
    from casework.backup_drill import run_drill

    with restored(source, make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])) as (url, documents):
        engine = create_engine(url, poolclass=NullPool)
        try:
            with Session(engine) as session:
                failures = run_drill(session, documents, sample)
        finally:
            engine.dispose()
    if failures:
        raise click.ClickException(
            f"Restore drill FAILED: {failures} checks failed (see above); this backup is not readable with this key file."
        )
    click.echo("Restore drill passed: every key, data key, sampled index, the audit chain and every document read.")
