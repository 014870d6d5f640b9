"""Imports through key rotations: a pending import keeps its sealed upload through a key-encryption
key rotation, and an index rotation drops the values coordinators mapped by hand under the old root.

Each import run's key is wrapped by the key-encryption key, as a person's data key is. `keys
rotate-kek` re-wrapped only the people's keys, and `keys retire` counted only theirs, so retiring
the old key after the documented monthly rotation left every pending import unreadable: its pages
failed, and its upload could never be imported or discarded by name.
"""

import json
from pathlib import Path

from sqlalchemy import select

from casework import create_app
from casework.admin import operations as admin
from casework.extensions import db
from casework.imports import facts, operations, sealing
from casework.keyring import key_store, with_new_version
from casework.models.imports import ImportLayout, ImportRun
from tests.import_sheets import csv_bytes


def _pending_import(app) -> str:
    with app.app_context():
        coordinator = admin.invite_user("import.coordinator@casework.example.org", "coordinator")
        db.session.flush()
        run, _sheet = operations.start_run(coordinator, "intake-list.csv", csv_bytes())
        db.session.commit()
        return run.id


def test_rotating_and_retiring_the_kek_keeps_a_pending_import_readable(own_keys_app):
    app = own_keys_app
    run_id = _pending_import(app)
    runner = app.test_cli_runner()
    rotated = runner.invoke(args=["keys", "rotate-kek"])
    assert rotated.exit_code == 0, rotated.output
    retired = runner.invoke(args=["keys", "retire", "--ring", "kek", "--version", "1"])
    assert retired.exit_code == 0, retired.output
    assert "1" not in json.loads(Path(app.config["CASEWORK_KEY_FILE"]).read_text())["kek"]
    again = create_app({**app.config})  # as after a restart, with only the new key
    with again.app_context():
        run = db.session.get(ImportRun, run_id)
        assert run.kek_version == 2
        assert sealing.file_name(run) == "intake-list.csv"
        assert sealing.read_file(run) == csv_bytes()


def test_retiring_a_kek_that_only_an_import_still_uses_is_refused(own_keys_app):
    app = own_keys_app
    run_id = _pending_import(app)
    with app.app_context():
        key_store().save(with_new_version(key_store().keys(), "kek"))  # a rotation that never re-wrapped
    result = app.test_cli_runner().invoke(args=["keys", "retire", "--ring", "kek", "--version", "1"])
    assert result.exit_code != 0 and "still use" in result.output
    with app.app_context():
        assert db.session.scalar(select(ImportRun.kek_version).where(ImportRun.id == run_id)) == 1
        assert "1" in json.loads(Path(app.config["CASEWORK_KEY_FILE"]).read_text())["kek"]


def test_index_rotation_drops_the_import_values_it_leaves_unmatchable(own_keys_app):
    """A coordinator's hand-mapped cell ("в бегах" means a deserter) is kept only as a digest under the
    index root: after a rotation it matches nothing, so it is dropped rather than kept for whoever holds
    the old root, the command says so, and the value can be mapped again under the new root."""
    app, cell = own_keys_app, facts.normal("В бегах")
    with app.app_context():
        layout = ImportLayout(header_hash="a" * 64, columns=json.dumps(["military_situation"]), values="{}")
        db.session.add(layout)
        db.session.flush()
        operations.map_values(layout, {"military_situation": {cell: "deserted_contract"}})
        db.session.commit()
        assert operations.resolver(layout)("military_situation", cell) == "deserted_contract"
    result = app.test_cli_runner().invoke(args=["keys", "rotate-index"])
    assert result.exit_code == 0, result.output
    assert "Values mapped by hand in 1 import layouts were kept under the old root and are dropped" in result.output
    with app.app_context():
        layout = db.session.scalar(select(ImportLayout))
        assert (layout.value_digests, layout.index_version) == ({}, None)
        assert operations.resolver(layout)("military_situation", cell) is None
        operations.map_values(layout, {"military_situation": {cell: "deserted_contract"}})
        assert layout.index_version == 2 and operations.resolver(layout)("military_situation", cell) == "deserted_contract"
