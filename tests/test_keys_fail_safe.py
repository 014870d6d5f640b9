"""Keys that fail safe: a wrong key file is refused before anything is read or written with it, key
commands check first and write last, and `keys status` says what a database needs."""

import base64
import gc
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casework import create_app
from casework.config import ConfigError
from casework.crypto import check_value, new_key
from casework.extensions import db
from casework.key_checks import fingerprint, recorded_check
from casework.keyring import current_keys, generate_keys, write_key_file
from casework.models import AuditEvent, BlindIndex, KeyCheck, KeyRotation, Person, PersonKey
from casework.people.documents import store_document
from casework.people.erasure import erase_person
from casework.people.search import find_people
from tests.conftest import test_settings

PDF = b"%PDF-1.7\nfail-safe scan\n%%EOF"
RING_NAMES = {"kek": "key-encryption keys", "index": "blind-index roots", "audit": "audit-chain keys"}


@pytest.fixture
def settings_for(database_url, tmp_path):
    """Settings on this test's database and documents folder, with a key file of its own."""
    key_file = tmp_path / "keys.json"
    write_key_file(key_file, generate_keys(), new=True)
    base = {**test_settings(database_url, key_file), "CASEWORK_DOCUMENT_DIR": str(tmp_path / "documents")}
    return lambda **extra: {**base, **extra}


@pytest.fixture
def populated(settings_for):
    """An app whose database holds five people, a document and audit rows, with tables made before
    it starts (as after `flask db upgrade`), so that its start-up records the check values."""
    app = create_app(settings_for())
    with app.app_context():
        db.create_all()
        from casework import audit

        people = [
            Person(
                surname_latin=f"Failsafe-{n}",
                given_names_latin="Anna",
                email=f"failsafe{n}@example.org",
                date_of_birth=date(1990, 1, n + 1),
            )
            for n in range(5)
        ]
        db.session.add_all(people)
        store_document(people[0], "scan.pdf", PDF)
        audit.record("person_created", person=people[0])
        db.session.commit()
    started = create_app(settings_for())
    return started


def _key_file(app) -> Path:
    return Path(app.config["CASEWORK_KEY_FILE"])


def _edit_key_file(app, change) -> None:
    """Change the key file as an administrator would, replacing it (a new file, as a restore makes)."""
    document = json.loads(_key_file(app).read_text())
    change(document)
    replacement = _key_file(app).with_name("replacement.json")
    replacement.write_text(json.dumps(document))
    replacement.replace(_key_file(app))


def _key(document, ring, version) -> bytes:
    return base64.b64decode(document[ring][str(version)])


def _new_key_text() -> str:
    return base64.b64encode(new_key()).decode()


def _table_counts(app) -> dict:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Person, PersonKey, AuditEvent, KeyCheck, KeyRotation)
        }


# The app refuses to start with a key file that does not fit the database.


@pytest.mark.parametrize("ring", ["kek", "index", "audit"])
def test_a_missing_key_in_use_stops_the_app_naming_ring_and_version(populated, settings_for, ring):
    _edit_key_file(populated, lambda d: d.update({ring: {"2": _new_key_text()}}))
    with pytest.raises(ConfigError, match=f"{RING_NAMES[ring]} version 1 is used by .* not in the key file"):
        create_app(settings_for())


@pytest.mark.parametrize("ring", ["kek", "index", "audit"])
def test_a_swapped_key_stops_the_app(populated, settings_for, ring):
    _edit_key_file(populated, lambda d: d[ring].update({"1": _new_key_text()}))
    with pytest.raises(
        ConfigError, match=f"{RING_NAMES[ring]} version 1 in the key file is not the key this database was written with"
    ):
        create_app(settings_for())


def test_exchanged_rings_are_recognised(populated, settings_for):
    _edit_key_file(populated, lambda d: d.update({"kek": d["index"], "index": d["kek"]}))
    with pytest.raises(
        ConfigError,
        match="key-encryption keys version 1 in the key file is this database's blind-index roots version 1: .*exchanged",
    ):
        create_app(settings_for())


def test_a_running_app_refuses_a_key_file_swapped_under_it_and_saves_nobody(populated):
    before = _table_counts(populated)
    _edit_key_file(populated, lambda d: d["kek"].update({"1": _new_key_text()}))
    with populated.app_context():
        with pytest.raises(ConfigError, match="key-encryption keys version 1"):
            db.session.add(Person(surname_latin="Newcomer"))
            db.session.commit()
        db.session.rollback()
    assert _table_counts(populated) == before


def test_a_database_from_before_check_values_is_proven_against_its_rows(settings_for):
    """Rows written before check values existed: the right keys are proven and recorded, wrong ones refused."""
    app = create_app(settings_for())
    with app.app_context():
        db.create_all()
        db.session.add(Person(surname_latin="Oldtimer", given_names_latin="Ivan", email="old@example.org"))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(KeyCheck)) == 0
    good = create_app(settings_for())
    with good.app_context():
        assert {(c.ring, c.version) for c in db.session.scalars(select(KeyCheck))} == {("kek", 1), ("index", 1), ("audit", 1)}
        db.session.execute(KeyCheck.__table__.delete())
        db.session.commit()
    _edit_key_file(app, lambda d: d["index"].update({"1": _new_key_text()}))
    with pytest.raises(ConfigError, match="blind-index roots version 1 in the key file does not decrypt or match"):
        create_app(settings_for())


def test_the_app_starts_on_an_empty_database_for_db_upgrade(settings_for, tmp_path):
    app = create_app(settings_for())  # no database yet
    with app.app_context():
        assert current_keys().kek.current_version == 1
        db.create_all()
        assert current_keys().kek.current_version == 1


# Key commands check first and write last.


@pytest.mark.parametrize(
    "command",
    [
        ["keys", "rotate-kek"],
        ["keys", "rotate-index"],
        ["keys", "rotate-dek", "--all"],
        ["keys", "retire", "--ring", "kek", "--version", "1"],
    ],
)
def test_key_commands_refuse_a_wrong_key_file_in_one_line_and_change_nothing(populated, settings_for, command):
    _edit_key_file(populated, lambda d: d["kek"].update({"1": _new_key_text()}))
    key_file_before = _key_file(populated).read_bytes()
    app = create_app(settings_for(CASEWORK_DEFER_KEY_CHECK=True))
    before = _table_counts(app)
    result = app.test_cli_runner().invoke(args=command)
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.output.count("\n") == 1, result.output
    assert "key-encryption keys version 1" in result.output
    assert _key_file(populated).read_bytes() == key_file_before
    assert _table_counts(app) == before


def test_the_current_key_cannot_be_retired(populated):
    result = populated.test_cli_runner().invoke(args=["keys", "retire", "--ring", "kek", "--version", "1"])
    assert result.exit_code == 1 and result.output == "Error: The current key cannot be removed; rotate to a new one first.\n"


def test_an_interrupted_rotation_is_resumed_not_started_again(populated, monkeypatch):
    import casework.key_rotation as rotation

    calls = {"n": 0}
    real = rotation.unwrap_data_key

    def dies_on_the_fourth(*args):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("killed")
        return real(*args)

    monkeypatch.setattr(rotation, "unwrap_data_key", dies_on_the_fourth)
    killed = populated.test_cli_runner().invoke(args=["keys", "rotate-kek", "--batch", "2"])
    assert isinstance(killed.exception, RuntimeError)
    monkeypatch.setattr(rotation, "unwrap_data_key", real)
    resumed = populated.test_cli_runner().invoke(args=["keys", "rotate-kek"])
    assert resumed.exit_code == 0, resumed.output
    assert "Resuming the rotation of the key-encryption keys to version 2" in resumed.output
    assert sorted(json.loads(_key_file(populated).read_text())["kek"]) == ["1", "2"]
    with populated.app_context():
        assert set(db.session.scalars(select(PersonKey.kek_version))) == {2}
        rotations = db.session.scalars(select(KeyRotation)).all()
        assert [(r.ring, r.target_version, r.finished_at is not None) for r in rotations] == [("kek", 2, True)]


def test_a_rotation_stopped_before_the_key_file_was_written_writes_it_on_resume(populated, monkeypatch):
    from casework.keyring import KeyStore

    real_save = KeyStore.save
    monkeypatch.setattr(KeyStore, "save", lambda self, keys: (_ for _ in ()).throw(OSError("disk full")))
    failed = populated.test_cli_runner().invoke(args=["keys", "rotate-index"])
    assert failed.exit_code != 0
    assert sorted(json.loads(_key_file(populated).read_text())["index"]) == ["1"], "the key file was not changed"
    monkeypatch.setattr(KeyStore, "save", real_save)
    resumed = populated.test_cli_runner().invoke(args=["keys", "rotate-index"])
    assert resumed.exit_code == 0, resumed.output
    document = json.loads(_key_file(populated).read_text())
    with populated.app_context():
        check = recorded_check(db.session, "index", 2)
        assert check.value == check_value(_key(document, "index", 2)), "the recorded check value is the written key's"
        assert set(db.session.scalars(select(BlindIndex.key_version))) == {2}
        assert len(find_people(email="failsafe3@example.org")) == 1


def test_a_rotation_that_finished_its_rows_but_not_its_record_is_finished_by_the_rerun(populated, monkeypatch):
    import casework.key_rotation as rotation

    monkeypatch.setattr(rotation, "_finish", lambda *_: (_ for _ in ()).throw(RuntimeError("killed")))
    populated.test_cli_runner().invoke(args=["keys", "rotate-kek"])
    monkeypatch.undo()
    again = populated.test_cli_runner().invoke(args=["keys", "rotate-kek"])
    assert again.exit_code == 0 and "0 data keys and 0 import keys now under key-encryption key version 2" in again.output
    assert sorted(json.loads(_key_file(populated).read_text())["kek"]) == ["1", "2"], "no third key"
    fresh = populated.test_cli_runner().invoke(args=["keys", "rotate-kek"])
    assert "under key-encryption key version 3" in fresh.output, "with none unfinished, a re-run is a new rotation"


def test_key_commands_write_audit_rows(populated):
    runner = populated.test_cli_runner()
    for command in (
        ["keys", "status"],
        ["keys", "rotate-kek"],
        ["keys", "retire", "--ring", "kek", "--version", "1"],
        ["keys", "rotate-dek", "--all"],
    ):
        assert runner.invoke(args=command).exit_code == 0
    with populated.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("keys_%")).order_by(AuditEvent.seq)
        ).all()
        details = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "keys_retired")).all()
    assert actions == [
        "keys_status_shown",
        "keys_rotation_started",
        "keys_rotated",
        "keys_retired",
        "keys_rotation_started",
        "keys_rotated",
    ]
    assert details == ["kek version 1"]


def test_rotate_dek_all_touches_each_person_once(populated, monkeypatch):
    import casework.key_rotation as rotation

    with populated.app_context():
        ids = db.session.scalars(select(Person.id).order_by(Person.id)).all()
    for person_id in ids[:2]:  # two people a generation ahead, one of them twice
        populated.test_cli_runner().invoke(args=["keys", "rotate-dek", "--person", person_id])
    populated.test_cli_runner().invoke(args=["keys", "rotate-dek", "--person", ids[0]])
    touched = []
    real = rotation.rotate_data_key
    monkeypatch.setattr(
        rotation, "rotate_data_key", lambda person, generation: touched.append(person.id) or real(person, generation)
    )
    result = populated.test_cli_runner().invoke(args=["keys", "rotate-dek", "--all"])
    assert result.exit_code == 0, result.output
    assert sorted(touched) == sorted(ids), "each person once"
    with populated.app_context():
        assert set(db.session.scalars(select(Person.dek_version))) == {4}


# keys status


def test_status_shows_three_rings_versions_in_use_and_whether_each_matches(populated):
    output = populated.test_cli_runner().invoke(args=["keys", "status"]).output
    for name in RING_NAMES.values():
        assert f"{name}: current version in the key file 1" in output
    assert "version 1 (current): 5 rows, in the key file, matches" in output
    assert "version 1 (current): 1 rows, in the key file, matches" in output  # the audit row
    assert "Every key version in use is in the key file and matches." in output


def test_status_on_a_database_restored_from_before_a_retirement_says_what_it_needs(populated, settings_for, tmp_path):
    """Last month's backup uses key-encryption key 1; this month's key file holds only version 2."""
    old_kek = _key(json.loads(_key_file(populated).read_text()), "kek", 1)
    with populated.app_context():
        recorded = recorded_check(db.session, "kek", 1).recorded_at
    _edit_key_file(populated, lambda d: d.update({"kek": {"2": _new_key_text()}}))
    with pytest.raises(ConfigError):
        create_app(settings_for())
    app = create_app(settings_for(CASEWORK_DEFER_KEY_CHECK=True))
    result = app.test_cli_runner().invoke(args=["keys", "status"])
    assert result.exit_code == 1
    assert "This key file does not fit this database. It needs:" in result.output
    needed = (
        f"key-encryption keys version 1 is used by 5 rows but is not in the key file: this database needs that key "
        f"(check value {fingerprint(check_value(old_kek))}, recorded {recorded:%Y-%m-%d})."
    )
    assert needed in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "keys_status_shown")) == 0, "wrote nothing"


# No cache keeps an erased person's key material.


def test_no_cache_keeps_an_erased_persons_data_key(populated):
    with populated.app_context():
        person = db.session.scalar(select(Person).where(Person.dek_version == 1).limit(1))
        assert person.surname_latin.startswith("Failsafe")  # decrypting derives the field keys
        data_key = person.data_key()
        erase_person(person)
        db.session.commit()
        db.session.expunge_all()
        del person
    gc.collect()
    # Containers holding only plain values (a cache's dict, its keys) are not tracked by the
    # collector themselves: they are found as what tracked objects refer to.
    holders = {
        type(held).__name__
        for tracked in gc.get_objects()
        for held in (tracked, *gc.get_referents(tracked))
        if _holds(held, data_key)
    }
    assert holders == set()


def _holds(container, value: bytes) -> bool:
    """Whether a container holds `value` itself, or as part of a tuple it holds (a cache's key)."""
    kind = type(container)  # not isinstance: that would resolve proxies such as `current_app`
    if kind is dict:
        items = [*container.keys(), *container.values()]
    elif kind in (tuple, list, set, frozenset):
        items = list(container)
    else:
        return False
    return any((type(item) is bytes and item == value) or (type(item) is tuple and _holds(item, value)) for item in items)
