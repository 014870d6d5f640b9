"""``flask --app casework keys ...``: create, inspect and rotate the keys; retire old versions.

Registered as a Flask CLI plugin (see pyproject.toml) so that ``keys init`` works before any key
exists, when the app itself refuses to start, and so that the other key commands can say what is
wrong with a key file instead of failing to start. Rotations are in `casework.key_rotation`.
"""

from pathlib import Path

import click
from sqlalchemy import func, select

from casework import audit
from casework.config import load_config
from casework.extensions import db
from casework.key_checks import check_keys, fingerprint
from casework.key_commands import key_command, unfinished_rotation
from casework.key_rotation import COMMANDS, retire, rotate_dek, rotate_index, rotate_kek
from casework.keyring import RING_NAMES, RINGS, add_missing_rings, generate_keys, key_store, write_key_file
from casework.models import Person


@click.group("keys", help="Create, inspect and rotate the encryption keys.")
def keys_cli() -> None:
    pass


for command in (rotate_kek, rotate_index, rotate_dek, retire):
    keys_cli.add_command(command)


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


def _line(state, current_version: int) -> str:
    current = " (current)" if state.in_file and state.version == current_version else ""
    where = "in the key file" if state.in_file else "not in the key file"
    recorded = ""
    if state.check is not None:
        recorded = f", check value {fingerprint(state.check.value)} recorded {state.check.recorded_at:%Y-%m-%d}"
        if state.check.retired_at:
            recorded += f", retired {state.check.retired_at:%Y-%m-%d}"
    return f"  version {state.version}{current}: {state.rows} rows, {where}, {state.state}{recorded}"


@keys_cli.command("status")
@key_command
def status() -> None:
    """Every ring's versions: rows using each, whether the key file holds it and whether it matches."""
    keys = key_store().unchecked()
    report = check_keys(db.session, keys)
    for ring in RINGS:
        keyring = getattr(keys, ring)
        click.echo(f"{RING_NAMES[ring]}: current version in the key file {keyring.current_version}")
        for state in report.of_ring(ring):
            click.echo(_line(state, keyring.current_version))
    click.echo("data keys (persons not erased), by generation:")
    generations = select(Person.dek_version, func.count()).where(Person.erased_at.is_(None)).group_by(Person.dek_version)
    for version, count in sorted(db.session.execute(generations).all()):
        click.echo(f"  generation {version}: {count} persons")
    for ring in ("kek", "index", "dek"):
        if (rotation := unfinished_rotation(ring)) is not None:
            click.echo(
                f"Unfinished rotation to {ring} version {rotation.target_version}: run `keys {COMMANDS[ring]}` to finish it."
            )
    if report.problems:
        click.echo("This key file does not fit this database. It needs:")
        for state in report.problems:
            click.echo(f"  - {state.describe()}")
        raise SystemExit(1)
    audit.record("keys_status_shown")
    db.session.commit()
    click.echo("Every key version in use is in the key file and matches.")
