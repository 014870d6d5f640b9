"""``keys rotate-kek``, ``rotate-index``, ``rotate-dek`` and ``retire``: check first, write last.

A rotation proves the keys in use, records in the database that it is under way (with the new key's
check value), and only then writes the key file, atomically. Run again after an interruption, it
resumes the rotation on record instead of starting another; a new rotation starts only when none is
unfinished. Every batch is committed, so an interrupted run loses at most one batch of work.
"""

import click
from sqlalchemy import func, select

from casework import audit
from casework.clock import utcnow
from casework.config import ConfigError
from casework.crypto import check_value, new_key, unwrap_data_key, wrap_data_key
from casework.extensions import db
from casework.imports.operations import forget_values_under_old_index
from casework.key_checks import recorded_check, versions_in_use
from casework.key_commands import drain, highest_recorded, key_command, refuse, unfinished_rotation, verified_keys
from casework.keyring import RING_NAMES, Keyring, key_store, with_version, without_version
from casework.models import BlindIndex, Document, KeyCheck, KeyRotation, Person, PersonKey
from casework.models.encrypted import ENCRYPTED_MODELS, encrypted_attributes
from casework.models.imports import ImportRun
from casework.people.documents import read_document, write_sealed
from casework.people.indexing import rebuild_indexes

BATCH_HELP = "Rows per transaction."
COMMANDS = {"kek": "rotate-kek", "index": "rotate-index", "dek": "rotate-dek --all"}


def _target_version(ring: str, keyring: Keyring) -> int:
    """A new version, never one used before; or the newest in the key file if no row uses it yet while
    older ones are used (a rotation begun before rotations were recorded in the database)."""
    in_use = versions_in_use(db.session)[ring]
    if in_use and keyring.current_version > max(in_use):
        return keyring.current_version
    return max(keyring.current_version, highest_recorded(ring)) + 1


def _start_or_resume(ring: str) -> tuple[KeyRotation, Keyring]:
    """Record the rotation and the new key's check value, commit, then write the key file."""
    keys = verified_keys()
    rotation = unfinished_rotation(ring)
    if rotation is None:
        rotation = KeyRotation(ring=ring, target_version=_target_version(ring, getattr(keys, ring)))
        db.session.add(rotation)
        audit.record("keys_rotation_started", detail=f"{ring} version {rotation.target_version}")
    else:
        click.echo(f"Resuming the rotation of the {RING_NAMES[ring]} to version {rotation.target_version}.")
    version = rotation.target_version
    if version not in getattr(keys, ring).keys:
        # The key was never written (the last run stopped before the file changed): no row uses it.
        key = new_key()
        check = recorded_check(db.session, ring, version) or KeyCheck(ring=ring, version=version)
        check.value, check.recorded_at = check_value(key), utcnow()
        db.session.add(check)
        db.session.commit()
        try:
            key_store().save(with_version(keys, ring, version, key))
        except ConfigError as refusal:
            raise click.ClickException(str(refusal)) from None
    db.session.commit()
    return rotation, getattr(key_store().keys(), ring)


def _finish(rotation: KeyRotation, count: int) -> None:
    rotation.finished_at = utcnow()
    audit.record("keys_rotated", detail=f"{rotation.ring} version {rotation.target_version}: {count}")
    db.session.commit()


@click.command("rotate-kek")
@click.option("--batch", default=500, show_default=True, help=BATCH_HELP)
@key_command
def rotate_kek(batch: int) -> None:
    """Add a new key-encryption key and re-wrap every data key with it (cheap: no data is re-encrypted)."""
    rotation, keyring = _start_or_resume("kek")
    version = rotation.target_version

    def stale(limit):
        """The wrapped keys still to re-wrap, read a batch per query rather than a row per query."""
        query = select(PersonKey).where(PersonKey.kek_version != version).order_by(PersonKey.person_id)
        return db.session.scalars(query.limit(limit)).all()

    def rewrap(row: PersonKey) -> None:
        data_key = unwrap_data_key(keyring.get(row.kek_version), row.kek_version, row.wrapped, row.person_id)
        row.wrapped = wrap_data_key(keyring.get(version), version, data_key, row.person_id)
        row.kek_version = version

    def stale_imports(limit):
        """Imports waiting for their coordinator, whose sealed upload is read with the run's own key."""
        query = select(ImportRun).where(ImportRun.kek_version != version).order_by(ImportRun.id)
        return db.session.scalars(query.limit(limit)).all()

    def rewrap_import(run: ImportRun) -> None:
        run_key = unwrap_data_key(keyring.get(run.kek_version), run.kek_version, run.wrapped_key, run.id)
        run.wrapped_key = wrap_data_key(keyring.get(version), version, run_key, run.id)
        run.kek_version = version

    count = drain("Re-wrapping data keys", stale, rewrap, batch)
    imports = drain("Re-wrapping the keys of pending imports", stale_imports, rewrap_import, batch)
    _finish(rotation, count + imports)
    click.echo(f"{count} data keys and {imports} import keys now under key-encryption key version {version}.")


@click.command("rotate-index")
@click.option("--batch", default=200, show_default=True, help=BATCH_HELP)
@key_command
def rotate_index(batch: int) -> None:
    """Add a new index root and recompute every blind index with it (searches use both meanwhile)."""
    rotation, _keyring = _start_or_resume("index")
    version = rotation.target_version

    def stale(limit):
        query = select(BlindIndex.person_id).where(BlindIndex.key_version != version).distinct().order_by(BlindIndex.person_id)
        return db.session.scalars(query.limit(limit)).all()

    count = drain("Recomputing blind indexes", stale, lambda pid: rebuild_indexes(db.session.get(Person, pid)), batch)
    forgotten = forget_values_under_old_index(version)
    _finish(rotation, count)
    click.echo(f"Blind indexes of {count} persons now under index root version {version}.")
    if forgotten:
        click.echo(
            f"Values mapped by hand in {forgotten} import layouts were kept under the old root and are dropped:"
            " coordinators map them again at the next import of those layouts."
        )


def rotate_data_key(person: Person, generation: int) -> None:
    """Re-encrypt everything of one person under a new data key of `generation`. The files under the
    old generation are deleted once this is committed."""
    values = []
    for model in ENCRYPTED_MODELS - {Document}:
        for record in db.session.scalars(model.of_person(person.id)):
            values.extend((record, name, getattr(record, name)) for name in encrypted_attributes(model))
    documents = db.session.scalars(select(Document).where(Document.person_id == person.id)).all()
    contents = [(document, document.original_name, read_document(document)) for document in documents]
    person.dek_version = generation
    person.set_data_key(new_key())
    for record, name, value in values:
        setattr(record, name, value)
    for document, name, content in contents:
        document.original_name = name
        write_sealed(document, content)


def _dek_rotation(resume: bool) -> KeyRotation:
    """The --all run on record, or a new one: to one generation above the highest in use (with
    --resume, to the highest, bringing up those left behind)."""
    verified_keys()
    rotation = unfinished_rotation("dek")
    if rotation is not None:
        click.echo(f"Resuming the rotation of data keys to generation {rotation.target_version}.")
        return rotation
    highest = db.session.scalar(select(func.max(Person.dek_version)).where(Person.erased_at.is_(None))) or 0
    rotation = KeyRotation(ring="dek", target_version=highest if resume else highest + 1)
    db.session.add(rotation)
    audit.record("keys_rotation_started", detail=f"dek generation {rotation.target_version}")
    db.session.commit()
    return rotation


@click.command("rotate-dek")
@click.option("--person", "person_id", help="Rotate only this person's data key (their id).")
@click.option("--all", "everyone", is_flag=True, help="Rotate every person's data key.")
@click.option("--resume", is_flag=True, help="With --all and no run to resume: bring everyone up to the highest generation.")
@click.option("--batch", default=100, show_default=True, help=BATCH_HELP)
@key_command
def rotate_dek(person_id: str | None, everyone: bool, resume: bool, batch: int) -> None:
    """Give one person, or everyone, a new data key and re-encrypt their data with it.

    An interrupted --all run is resumed by the next one; each person is re-encrypted once per run.
    """
    if bool(person_id) == everyone:
        raise click.UsageError("Give either --person ID or --all.")
    living = Person.erased_at.is_(None)
    if person_id:
        verified_keys()
        person = db.session.scalar(select(Person).where(living, Person.id == person_id))
        if person is None:
            refuse("No such person (or they were erased).")
        rotate_data_key(person, person.dek_version + 1)
        audit.record("keys_rotated", person=person, detail=f"dek generation {person.dek_version}")
        db.session.commit()
        click.echo("1 person re-encrypted under a new data key.")
        return
    rotation = _dek_rotation(resume)
    target = rotation.target_version

    def pending(limit):
        query = select(Person.id).where(living, Person.dek_version < target).order_by(Person.id)
        return db.session.scalars(query.limit(limit)).all()

    count = drain(
        "Re-encrypting with new data keys", pending, lambda pid: rotate_data_key(db.session.get(Person, pid), target), batch
    )
    _finish(rotation, count)
    click.echo(f"{count} persons re-encrypted under new data keys (generation {target}).")


@click.command("retire")
@click.option("--ring", type=click.Choice(["kek", "index", "audit"]), required=True)
@click.option("--version", "version", type=int, required=True)
@key_command
def retire(ring: str, version: int) -> None:
    """Remove an old key version from the key file, once no row uses it any more."""
    keys = verified_keys()
    keyring = getattr(keys, ring)
    if version == keyring.current_version:
        refuse("The current key cannot be removed; rotate to a new one first.")
    if version not in keyring.keys:
        refuse(f"The key file holds no {RING_NAMES[ring]} version {version}.")
    if (rotation := unfinished_rotation(ring)) is not None:
        refuse(f"The rotation to version {rotation.target_version} is unfinished: run `keys {COMMANDS[ring]}` first.")
    if in_use := versions_in_use(db.session)[ring].get(version):
        refuse(f"{in_use} rows still use version {version}: finish the rotation first.")
    db.session.flush()
    recorded_check(db.session, ring, version).retired_at = utcnow()
    audit.record("keys_retired", detail=f"{ring} version {version}")
    try:
        key_store().save(without_version(keys, ring, version))
    except ConfigError as refusal:
        refuse(str(refusal))
    db.session.commit()
    click.echo(
        f"Removed {RING_NAMES[ring]} version {version}. Database backups from before its rotation need a key "
        'file that still holds it: see docs/encryption.md, "Backups and retired keys".'
    )
