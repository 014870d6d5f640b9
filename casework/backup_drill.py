"""The checks of a restore drill, reading the restored database (`session`) and documents folder.

Each check says what it found; together they prove that the backup can be read with the current
key file: every ring's versions are in it and match, every data key unwraps, blind indexes of a
sample of people are what the index keys give, the audit chain holds, and every document decrypts.
"""

from pathlib import Path

import click
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework import audit
from casework.config import ConfigError
from casework.crypto import DecryptionError, unwrap_data_key
from casework.key_checks import check_keys
from casework.keyring import key_store
from casework.models import BlindIndex, Document, Person, PersonKey
from casework.people.documents import read_document
from casework.people.indexing import digest, index_values

UNREADABLE = (ConfigError, DecryptionError, OSError)


def _keys_fit(session, keys) -> int:
    report = check_keys(session, keys)
    for state in report.problems:
        click.echo(f"  NEEDS: {state.describe()}")
    click.echo(
        f"Key versions in use: {'all present and matching' if not report.problems else f'{len(report.problems)} problems'}."
    )
    return len(report.problems)


def _data_keys_unwrap(session, keys) -> int:
    rows = session.scalars(select(PersonKey)).all()
    failed = 0
    with click.progressbar(rows, label="Unwrapping data keys", show_pos=True) as bar:
        for row in bar:
            try:
                unwrap_data_key(keys.kek.get(row.kek_version), row.kek_version, row.wrapped, row.person_id)
            except UNREADABLE:
                failed += 1
    click.echo(f"Data keys: {len(rows) - failed} of {len(rows)} unwrap.")
    return 1 if failed else 0


def _indexes_match(session, keys, sample: int) -> int:
    indexed = select(Person.id).where(Person.id.in_(select(BlindIndex.person_id)))
    chosen = session.scalars(indexed.order_by(func.random()).limit(sample)).all()
    failed = 0
    for person_id in chosen:
        stored = session.execute(
            select(BlindIndex.name, BlindIndex.key_version, BlindIndex.digest).where(BlindIndex.person_id == person_id)
        ).all()
        try:
            values = index_values(session.get(Person, person_id))
            expected = {
                (name, version, digest(keys.index.get(version), name, value))
                for name, version, _ in stored
                for value in values.get(name, ())
            }
            failed += not set(map(tuple, stored)) <= expected
        except UNREADABLE:
            failed += 1
    click.echo(f"Blind indexes: {len(chosen) - failed} of {len(chosen)} sampled people match.")
    return 1 if failed else 0


def _audit_chain_holds(session) -> int:
    try:
        verdict = audit.verify(session)
    except ConfigError:
        click.echo("Audit chain: cannot be checked without its keys.")
        return 1
    click.echo(f"Audit chain: {verdict.reason} ({verdict.rows} rows).")
    return 0 if verdict.first_bad_seq is None else 1


def _documents_decrypt(session, folder: Path) -> int:
    documents = session.scalars(select(Document)).all()
    failed = 0
    with click.progressbar(documents, label="Decrypting documents", show_pos=True) as bar:
        for document in bar:
            try:
                read_document(document, folder)
            except UNREADABLE:
                failed += 1
    click.echo(f"Documents: {len(documents) - failed} of {len(documents)} decrypt.")
    return 1 if failed else 0


def run_drill(session: Session, folder: Path, sample: int) -> int:
    """Run every check; the number that failed."""
    keys = key_store().unchecked()
    checks = (_keys_fit(session, keys), _data_keys_unwrap(session, keys), _indexes_match(session, keys, sample))
    return sum(checks) + _audit_chain_holds(session) + _documents_decrypt(session, folder)
