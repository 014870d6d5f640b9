"""``flask --app casework keys ...``: create, inspect and rotate the keys; retire old versions.

Registered as a Flask CLI plugin (see pyproject.toml) so that ``keys init`` works before any key
exists, when the app itself refuses to start. Every rotation works in batches, committing after
each, shows a progress bar, and picks up where it stopped when run again after an interruption; the
running app re-reads the key file when it changes, so rotation is safe while it serves requests.
"""

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from casework.config import ConfigError, load_config
from casework.crypto import new_key, unwrap_data_key, wrap_data_key
from casework.extensions import db
from casework.keyring import (
    RING_NAMES,
    add_missing_rings,
    generate_keys,
    key_store,
    with_new_version,
    without_version,
    write_key_file,
)
from casework.models import BlindIndex, Document, Person, PersonKey
from casework.models.encrypted import ENCRYPTED_MODELS, encrypted_attributes
from casework.people.documents import file_path, read_document, write_sealed
from casework.people.indexing import rebuild_indexes

BATCH_HELP = "Rows per transaction."


@click.group("keys", help="Create, inspect and rotate the encryption keys.")
def keys_cli() -> None:
    pass


@keys_cli.command("init")
@click.option("--exist-ok", is_flag=True, help="If the key file exists, only add the kinds of key it lacks.")
def init(exist_ok: bool) -> None:
    """Create a new key file (0600) with one key of each kind: encryption, index and audit chain."""
    config = load_config()
    if config["CASEWORK_KEYS"]:
        raise click.ClickException("CASEWORK_KEYS is set: the keys come from the environment, not a file.")
    path = Path(config["CASEWORK_KEY_FILE"])
    if path.exists():
        if exist_ok:
            for ring in add_missing_rings(path):
                click.echo(f"Added {RING_NAMES[ring]} to {path}.")
            return
        raise click.ClickException(f"{path} exists; refusing to overwrite keys (that would lose all data).")
    write_key_file(path, generate_keys(), new=True)
    click.echo(f"Created {path} (readable by this user only). Back it up now, apart from the database.")


def _counts(column) -> dict[int, int]:
    return dict(db.session.execute(select(column, func.count()).group_by(column)).all())


@keys_cli.command("status")
@with_appcontext
def status() -> None:
    """How many rows use each key version, and which versions could be retired."""
    keys = key_store().keys()
    report = {
        "kek": _counts(PersonKey.kek_version),
        "index": _counts(BlindIndex.key_version),
    }
    for ring, counts in report.items():
        keyring = getattr(keys, ring)
        click.echo(f"{RING_NAMES[ring]}: current version {keyring.current_version}")
        for version in sorted(set(keyring.keys) | set(counts)):
            state = "current" if version == keyring.current_version else "old"
            missing = "" if version in keyring.keys else "  MISSING FROM KEY FILE"
            click.echo(f"  version {version} ({state}): {counts.get(version, 0)} rows{missing}")
    click.echo("data keys (persons not erased), by generation:")
    for version, count in sorted(_counts(Person.dek_version).items()):
        click.echo(f"  generation {version}: {count} persons")


def _run_in_batches(label: str, pending, handle, batch: int) -> int:
    """Process what `pending(limit)` returns until nothing is left, committing each batch."""
    done = 0
    total = len(pending(None))
    with click.progressbar(length=total, label=label, show_pos=True) as bar:
        while ids := pending(batch):
            for item in ids:
                handle(item)
            db.session.commit()
            done += len(ids)
            bar.update(len(ids))
    return done


def _ensure_rotation_started(ring: str, stale_count) -> None:
    """Add a new current key, unless an earlier run of this rotation is still to be finished."""
    if stale_count() == 0:
        store = key_store()
        store.save(with_new_version(store.keys(), ring))


@keys_cli.command("rotate-kek")
@click.option("--batch", default=500, show_default=True, help=BATCH_HELP)
@with_appcontext
def rotate_kek(batch: int) -> None:
    """Add a new key-encryption key and re-wrap every data key with it (cheap: no data is re-encrypted)."""

    def stale(limit):
        current = key_store().keys().kek.current_version
        query = select(PersonKey.person_id).where(PersonKey.kek_version != current).order_by(PersonKey.person_id)
        return db.session.scalars(query.limit(limit)).all()

    _ensure_rotation_started("kek", lambda: len(stale(1)))
    keyring = key_store().keys().kek

    def rewrap(person_id: str) -> None:
        row = db.session.get(PersonKey, person_id)
        data_key = unwrap_data_key(keyring.get(row.kek_version), row.kek_version, row.wrapped, person_id)
        row.wrapped = wrap_data_key(keyring.current, keyring.current_version, data_key, person_id)
        row.kek_version = keyring.current_version

    count = _run_in_batches("Re-wrapping data keys", stale, rewrap, batch)
    click.echo(f"{count} data keys now under key-encryption key version {keyring.current_version}.")


@keys_cli.command("rotate-index")
@click.option("--batch", default=200, show_default=True, help=BATCH_HELP)
@with_appcontext
def rotate_index(batch: int) -> None:
    """Add a new index root and recompute every blind index with it (searches use both meanwhile)."""

    def stale(limit):
        current = key_store().keys().index.current_version
        query = select(BlindIndex.person_id).where(BlindIndex.key_version != current).distinct().order_by(BlindIndex.person_id)
        return db.session.scalars(query.limit(limit)).all()

    _ensure_rotation_started("index", lambda: len(stale(1)))
    count = _run_in_batches("Recomputing blind indexes", stale, lambda pid: rebuild_indexes(db.session.get(Person, pid)), batch)
    click.echo(f"Blind indexes of {count} persons now under index root version {key_store().keys().index.current_version}.")


def rotate_data_key(person: Person) -> list[Document]:
    """Re-encrypt everything of one person under a new data key; returns documents whose old files
    are to be deleted once the change is committed."""
    values = []
    for model in ENCRYPTED_MODELS - {Document}:
        for record in db.session.scalars(model.of_person(person.id)):
            values.extend((record, name, getattr(record, name)) for name in encrypted_attributes(model))
    documents = db.session.scalars(select(Document).where(Document.person_id == person.id)).all()
    contents = [(document, document.original_name, read_document(document)) for document in documents]
    person.dek_version += 1
    person.set_data_key(new_key())
    for record, name, value in values:
        setattr(record, name, value)
    for document, name, content in contents:
        document.original_name = name
        write_sealed(document, content)
    return documents


@keys_cli.command("rotate-dek")
@click.option("--person", "person_id", help="Rotate only this person's data key (their id).")
@click.option("--all", "everyone", is_flag=True, help="Rotate every person's data key.")
@click.option("--resume", is_flag=True, help="With --all: finish an interrupted run instead of starting a new one.")
@click.option("--batch", default=100, show_default=True, help=BATCH_HELP)
@with_appcontext
def rotate_dek(person_id: str | None, everyone: bool, resume: bool, batch: int) -> None:
    """Give one person, or everyone, a new data key and re-encrypt their data with it.

    Each run of --all moves everyone to a new generation, one above the highest in use; --resume
    instead brings those left behind by an interrupted run up to the highest generation.
    """
    if bool(person_id) == everyone:
        raise click.UsageError("Give either --person ID or --all.")
    living = Person.erased_at.is_(None)
    if person_id:
        person = db.session.scalar(select(Person).where(living, Person.id == person_id))
        if person is None:
            raise click.ClickException("No such person (or they were erased).")
        chosen = Person.id == person.id
        target_generation = person.dek_version + 1
    else:
        highest = db.session.scalar(select(func.max(Person.dek_version)).where(living)) or 0
        chosen = living
        target_generation = highest if resume else highest + 1

    def pending(limit):
        query = select(Person.id).where(living, chosen, Person.dek_version < target_generation).order_by(Person.id)
        return db.session.scalars(query.limit(limit)).all()

    superseded: list[Path] = []

    def handle(pid: str) -> None:
        person = db.session.get(Person, pid)
        old_generation = person.dek_version
        superseded.extend(file_path(document, old_generation) for document in rotate_data_key(person))

    count = _run_in_batches("Re-encrypting with new data keys", pending, handle, batch)
    for path in superseded:
        path.unlink(missing_ok=True)
    click.echo(f"{count} persons re-encrypted under new data keys.")


@keys_cli.command("retire")
@click.option("--ring", type=click.Choice(["kek", "index"]), required=True)
@click.option("--version", "version", type=int, required=True)
@with_appcontext
def retire(ring: str, version: int) -> None:
    """Remove an old key version from the key file, once no row uses it any more."""
    column = PersonKey.kek_version if ring == "kek" else BlindIndex.key_version
    in_use = db.session.scalar(select(func.count()).where(column == version))
    if in_use:
        raise click.ClickException(f"{in_use} rows still use version {version}: finish the rotation first.")
    store = key_store()
    try:
        store.save(without_version(store.keys(), ring, version))
    except ConfigError as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(f"Removed {RING_NAMES[ring]} version {version}. Replace older backups of the key file too.")
