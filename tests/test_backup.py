"""Backups that restore: one command copies the database and its documents together, never the key
file; the drill restores a copy elsewhere and proves every ring, data key, index, the audit chain
and every document readable; a backup from before a key retirement says what it needs."""

import base64
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from casework import audit, create_app
from casework.crypto import check_value
from casework.extensions import db
from casework.key_checks import fingerprint
from casework.keyring import generate_keys, write_key_file
from casework.models import Person
from casework.people.documents import store_document
from tests.conftest import test_settings

PDF = b"%PDF-1.7\nbackup scan\n%%EOF"


@pytest.fixture
def app(database_url, tmp_path):
    """Four people with a document each and audit rows, on a database made before the app started."""
    key_file = tmp_path / "keys" / "keys.json"
    write_key_file(key_file, generate_keys(), new=True)
    settings = {**test_settings(database_url, key_file), "CASEWORK_DOCUMENT_DIR": str(tmp_path / "documents")}
    first = create_app(settings)
    with first.app_context():
        db.create_all()
        for n in range(4):
            person = Person(
                surname_latin=f"Backupova-{n}",
                given_names_latin="Olga",
                email=f"backup{n}@example.org",
                date_of_birth=date(1985, 3, n + 1),
            )
            db.session.add(person)
            store_document(person, "scan.pdf", PDF)
            audit.record("person_created", person=person)
        db.session.commit()
    return create_app(settings)


def _backup(app, destination: Path) -> Path:
    result = app.test_cli_runner().invoke(args=["backup", "create", str(destination)])
    assert result.exit_code == 0, result.output
    (made,) = destination.iterdir()
    return made


def _drill(app, source: Path):
    return app.test_cli_runner().invoke(args=["backup", "drill", str(source)])


def test_a_backup_holds_database_and_documents_and_restores(app, tmp_path):
    made = _backup(app, tmp_path / "backups")
    database = (
        "casework.sqlite" if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "sqlite" else "casework.dump"
    )
    assert (made / database).is_file()
    assert len(list((made / "documents").iterdir())) == 4
    manifest = json.loads((made / "manifest.json").read_text())
    assert manifest["documents"] == 4 and set(manifest["needs_keys"]) == {"kek", "index", "audit"}
    result = _drill(app, made)
    assert result.exit_code == 0, result.output
    assert "Data keys: 4 of 4 unwrap." in result.output
    assert "Documents: 4 of 4 decrypt." in result.output
    assert "Audit chain: intact" in result.output
    assert "Restore drill passed" in result.output


def test_a_backup_never_holds_the_key_file_nor_files_no_row_refers_to(app, tmp_path):
    key_file = Path(app.config["CASEWORK_KEY_FILE"])
    folder = Path(app.config["CASEWORK_DOCUMENT_DIR"])
    (folder / "keys.json").write_bytes(key_file.read_bytes())  # a key file put in the wrong place
    (folder / "orphan.v1").write_bytes(b"left by a crash")
    made = _backup(app, tmp_path / "backups")
    keys = json.loads(key_file.read_text())
    secrets = [base64.b64decode(value) for ring in keys.values() for value in ring.values()]
    everything = b"".join(path.read_bytes() for path in made.rglob("*") if path.is_file())
    assert not any(secret in everything or base64.b64encode(secret) in everything for secret in secrets)
    assert sorted(p.name for p in (made / "documents").iterdir()) == sorted(
        p.name for p in folder.iterdir() if p.name not in ("keys.json", "orphan.v1")
    )


def test_the_drill_finds_a_missing_document(app, tmp_path):
    made = _backup(app, tmp_path / "backups")
    next((made / "documents").iterdir()).unlink()
    result = _drill(app, made)
    assert result.exit_code == 1 and "Documents: 3 of 4 decrypt." in result.output and "Restore drill FAILED" in result.output


def test_a_backup_from_before_a_data_key_rotation_still_restores(app, tmp_path):
    made = _backup(app, tmp_path / "backups")
    assert app.test_cli_runner().invoke(args=["keys", "rotate-dek", "--all"]).exit_code == 0
    result = _drill(app, made)
    assert result.exit_code == 0, result.output


def test_last_months_backup_after_rotation_and_retirement_says_what_it_needs(app, tmp_path):
    """The monthly rotate-kek + retire makes every older database backup need the retired key."""
    old_kek = base64.b64decode(json.loads(Path(app.config["CASEWORK_KEY_FILE"]).read_text())["kek"]["1"])
    made = _backup(app, tmp_path / "backups")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["keys", "rotate-kek"]).exit_code == 0
    assert runner.invoke(args=["keys", "retire", "--ring", "kek", "--version", "1"]).exit_code == 0
    result = _drill(app, made)
    assert result.exit_code == 1
    assert (
        f"NEEDS: key-encryption keys version 1 is used by 4 rows but is not in the key file: this database needs that key (check value {fingerprint(check_value(old_kek))}"
        in result.output
    )
    assert "Data keys: 0 of 4 unwrap." in result.output

    from casework.backup import restored

    with restored(made, make_url(app.config["SQLALCHEMY_DATABASE_URI"])) as (url, documents):
        settings = {
            key: value for key, value in app.config.items() if key.startswith("CASEWORK_") or key in ("SECRET_KEY", "TESTING")
        }
        restored_app = create_app(
            {
                **settings,
                "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
                "CASEWORK_DOCUMENT_DIR": str(documents),
                "CASEWORK_DEFER_KEY_CHECK": True,
            }
        )
        status = restored_app.test_cli_runner().invoke(args=["keys", "status"])
        with restored_app.app_context():
            assert db.session.scalar(select(Person.id).limit(1))
            db.session.remove()
            db.engine.dispose()
    assert status.exit_code == 1
    assert "key-encryption keys version 1 is used by 4 rows but is not in the key file" in status.output
    assert "version 2 (current): 0 rows, in the key file, new" in status.output, "the newer key is unknown to the old database"
