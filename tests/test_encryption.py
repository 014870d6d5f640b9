"""Encryption at rest: security.md S2 to S6 and the key part of S19."""

import base64
import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from casework import create_app
from casework.config import ConfigError
from casework.crypto import DecryptionError, FieldPlace, decrypt_field, encrypt_field, new_key
from casework.extensions import db
from casework.keyring import current_keys, generate_keys, parse_keys, write_key_file
from casework.models import BlindIndex, Document, Person, PersonKey
from casework.people.documents import DocumentRefused, file_path, read_document, store_document
from casework.people.erasure import erase_person
from casework.people.search import find_people
from tests.test_production_config import production_settings

PDF = b"%PDF-1.7\n" + b"Marker scan content Petrov-9931 \xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xbe\xd0\xb2-9931\n%%EOF"
MARKERS = [
    "Markerova-5521",
    "Маркерова-5521",
    "Zinaida-Markerovna",
    "Зинаида-Маркеровна",
    "markerova.5521@casework-mail.example.org",
    "+31612345521",
    "markerova_5521",
    "XK5521778",
    "Markerstraat 5521, Utrecht",
    "scan-Маркерова-5521.pdf",
    "Petrov-9931",
]


def _marker_person(**overrides) -> Person:
    values = dict(
        surname_latin="Markerova-5521",
        given_names_latin="Zinaida-Markerovna",
        surname_cyrillic="Маркерова-5521",
        given_names_cyrillic="Зинаида-Маркеровна",
        date_of_birth=date(1991, 5, 21),
        email="markerova.5521@casework-mail.example.org",
        phone="+31612345521",
        telegram="@markerova_5521",
        signal="+31612345521",
        passport_number="XK5521778",
        address="Markerstraat 5521, Utrecht",
        sex="F",
        citizenship="RU",
        languages="ru,en",
    )
    values.update(overrides)
    return Person(**values)


def _encodings(marker: str) -> list[bytes]:
    """The ways a marker could show up in raw bytes: UTF-8, UTF-16 both ways, base64 and hex."""
    raw = marker.encode("utf-8")
    forms = [raw, marker.encode("utf-16-le"), marker.encode("utf-16-be"), raw.hex().encode()]
    for shift in range(3):  # base64 of the marker at each of the three alignments, edges trimmed
        encoded = base64.b64encode(b"\x00" * shift + raw)[4:-4]
        forms.append(encoded)
    return [form for form in forms if len(form) >= 6]


def _hits(data: bytes) -> list[str]:
    return [marker for marker in MARKERS for form in _encodings(marker) if form in data]


def _raw_database_bytes(app) -> bytes:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        database = Path(url.database)
        return b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))
    dump = subprocess.run(
        [
            "pg_dump",
            "--no-owner",
            "-h",
            url.host or "127.0.0.1",
            "-p",
            str(url.port or 5432),
            "-U",
            url.username or "postgres",
            url.database,
        ],
        check=True,
        capture_output=True,
    )
    return dump.stdout


# S2: no plaintext at rest.


def test_no_marker_in_the_raw_database_or_document_store(app):
    with app.app_context():
        person = _marker_person()
        db.session.add(person)
        store_document(person, "scan-Маркерова-5521.pdf", PDF)
        db.session.commit()
        raw = _raw_database_bytes(app)
        assert len(raw) > 1000, "the dump or file was read"
        assert _hits(raw) == []
        stored = b"".join(path.read_bytes() for path in Path(app.config["CASEWORK_DOCUMENT_DIR"]).rglob("*") if path.is_file())
        assert stored and _hits(stored) == []
        assert "Markerova" not in " ".join(os.listdir(app.config["CASEWORK_DOCUMENT_DIR"]))


def test_the_marker_scan_would_find_plaintext(app):
    """The scan above is only worth something if it finds a marker that is there."""
    assert _hits(b"xx" + "Маркерова-5521".encode("utf-16-le") + b"yy") == ["Маркерова-5521"]
    assert _hits(base64.b64encode(b"a" + "Markerova-5521".encode())) == ["Markerova-5521"]
    assert _hits(b"\\x" + "Markerstraat 5521, Utrecht".encode().hex().encode()) == ["Markerstraat 5521, Utrecht"]


def test_values_read_back_after_a_round_trip_through_the_database(app):
    with app.app_context():
        person = _marker_person()
        db.session.add(person)
        db.session.commit()
        person_id = person.id
    with app.app_context():
        again = db.session.get(Person, person_id)
        assert again.surname_cyrillic == "Маркерова-5521"
        assert again.date_of_birth == date(1991, 5, 21)
        assert again.telegram == "@markerova_5521"
        assert again.sex == "F"


# S3: bound to place and key; fresh nonces.


def test_ciphertext_moved_to_another_row_or_column_does_not_decrypt(app):
    with app.app_context():
        one, two = _marker_person(), _marker_person(surname_latin="Other-1")
        db.session.add_all([one, two])
        db.session.commit()
        with pytest.raises(DecryptionError):
            decrypt_field(one.data_key(), FieldPlace("persons", "given_names_latin", one.id, one.id), one._surname_latin_sealed)
        db.session.execute(
            text("UPDATE persons SET surname_latin = :sealed WHERE id = :id"), {"sealed": one._surname_latin_sealed, "id": two.id}
        )
        db.session.commit()
        db.session.expire_all()
        with pytest.raises(DecryptionError):
            _ = db.session.get(Person, two.id).surname_latin


def test_a_flipped_bit_does_not_decrypt():
    key, place = new_key(), FieldPlace("persons", "address", "row", "person")
    sealed = bytearray(encrypt_field(key, 1, place, "Markerstraat 1".encode()))
    for position in (0, 5, len(sealed) // 2, len(sealed) - 1):
        tampered = bytearray(sealed)
        tampered[position] ^= 0x01
        with pytest.raises(DecryptionError):
            decrypt_field(key, place, bytes(tampered))


def test_another_data_key_does_not_decrypt():
    place = FieldPlace("persons", "address", "row", "person")
    sealed = encrypt_field(new_key(), 1, place, b"value")
    with pytest.raises(DecryptionError):
        decrypt_field(new_key(), place, sealed)


def test_ten_thousand_encryptions_use_ten_thousand_nonces():
    key, place = new_key(), FieldPlace("persons", "phone", "row", "person")
    nonces = {encrypt_field(key, 1, place, b"+31612345678")[1:13] for _ in range(10_000)}
    assert len(nonces) == 10_000


def test_lengths_are_padded_to_buckets():
    key, place = new_key(), FieldPlace("persons", "surname_latin", "row", "person")
    short = encrypt_field(key, 1, place, b"Li")
    longer = encrypt_field(key, 1, place, b"Rimsky-Korsak")
    assert len(short) == len(longer)


@given(st.text())
@hypothesis_settings(max_examples=300, deadline=None)
def test_any_text_round_trips_exactly(value):
    key, place = new_key(), FieldPlace("persons", "address", "row", "person")
    assert decrypt_field(key, place, encrypt_field(key, 1, place, value.encode("utf-8"))).decode("utf-8") == value


@given(st.one_of(st.just(""), st.text(min_size=1, max_size=50), st.text(min_size=4000, max_size=6000)))
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
def test_any_text_round_trips_through_the_model(app, value):
    with app.app_context():
        person = Person(address=value, surname_latin=value)
        db.session.add(person)
        db.session.commit()
        person_id = person.id
        db.session.expunge_all()
        again = db.session.get(Person, person_id)
        assert again.address == value and again.surname_latin == value


def test_a_decryption_failure_shows_a_generic_page(app, signed_in):
    """Nothing in the app displays persons yet; the generic 500 handler is what a failure meets."""
    from casework.errors import render_error

    with app.test_request_context():
        body, status = render_error(500)
    assert status == 500 and "Something went wrong" in body


# S4: rotation.


def _people(app, count=7):
    with app.app_context():
        people = [
            _marker_person(surname_latin=f"Rotatova-{n}", email=f"rotatova{n}@casework-mail.example.org") for n in range(count)
        ]
        db.session.add_all(people)
        store_document(people[0], "rotation.pdf", PDF)
        db.session.commit()
        return [person.id for person in people]


def _drop_version(app, ring: str, version: int) -> None:
    path = Path(app.config["CASEWORK_KEY_FILE"])
    document = json.loads(path.read_text())
    del document[ring][str(version)]
    path.write_text(json.dumps(document))


def _fresh_app_reads_everyone(app, ids):
    """A new app built on the same key file and database (as after a restart) reads every person."""
    again = create_app(
        {
            key: app.config[key]
            for key in ("SQLALCHEMY_DATABASE_URI", "CASEWORK_KEY_FILE", "CASEWORK_DOCUMENT_DIR", "SECRET_KEY", "CASEWORK_ENV")
        }
    )
    with again.app_context():
        for n, person_id in enumerate(ids):
            assert db.session.get(Person, person_id).surname_latin == f"Rotatova-{n}"
        document = db.session.scalar(select(Document))
        assert read_document(document) == PDF


def test_kek_rotation_rewraps_every_data_key(own_keys_app):
    app = own_keys_app
    ids = _people(app)
    result = app.test_cli_runner().invoke(args=["keys", "rotate-kek", "--batch", "3"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert set(db.session.scalars(select(PersonKey.kek_version))) == {2}
    retired = app.test_cli_runner().invoke(args=["keys", "retire", "--ring", "kek", "--version", "1"])
    assert retired.exit_code == 0, retired.output
    assert "1" not in json.loads(Path(app.config["CASEWORK_KEY_FILE"]).read_text())["kek"]
    _fresh_app_reads_everyone(app, ids)


def test_interrupted_kek_rotation_resumes(own_keys_app):
    app = own_keys_app
    ids = _people(app)
    runner = app.test_cli_runner()
    with app.app_context():
        from casework.keyring import key_store, with_new_version

        key_store().save(with_new_version(key_store().keys(), "kek"))  # as if a run stopped right after adding its key
    result = runner.invoke(args=["keys", "rotate-kek"])
    assert result.exit_code == 0
    with app.app_context():
        assert set(db.session.scalars(select(PersonKey.kek_version))) == {2}, "the run finished the started rotation"
    _drop_version(app, "kek", 1)
    _fresh_app_reads_everyone(app, ids)


def test_retiring_a_key_still_in_use_is_refused(own_keys_app):
    app = own_keys_app
    _people(app, 2)
    with app.app_context():
        from casework.keyring import key_store, with_new_version

        key_store().save(with_new_version(key_store().keys(), "kek"))
    result = app.test_cli_runner().invoke(args=["keys", "retire", "--ring", "kek", "--version", "1"])
    assert result.exit_code != 0 and "still use" in result.output


def test_index_rotation_recomputes_and_search_keeps_working(own_keys_app):
    app = own_keys_app
    ids = _people(app)
    result = app.test_cli_runner().invoke(args=["keys", "rotate-index", "--batch", "2"])
    assert result.exit_code == 0, result.output
    _drop_version(app, "index", 1)
    with app.app_context():
        assert set(db.session.scalars(select(BlindIndex.key_version))) == {2}
        found = find_people(email="rotatova3@casework-mail.example.org")
        assert [match.person.id for match in found] == [ids[3]]


def test_data_key_rotation_reencrypts_one_person_or_all(own_keys_app):
    app = own_keys_app
    ids = _people(app)
    with app.app_context():
        before = db.session.get(Person, ids[0])._surname_latin_sealed
    one = app.test_cli_runner().invoke(args=["keys", "rotate-dek", "--person", ids[0]])
    assert one.exit_code == 0, one.output
    with app.app_context():
        generations = dict(db.session.execute(select(Person.id, Person.dek_version)).all())
        assert generations[ids[0]] == 2 and generations[ids[1]] == 1
        assert db.session.get(Person, ids[0])._surname_latin_sealed != before
    resumed = app.test_cli_runner().invoke(args=["keys", "rotate-dek", "--all", "--resume"])
    assert resumed.exit_code == 0, resumed.output
    with app.app_context():
        assert set(db.session.scalars(select(Person.dek_version))) == {2}, "--resume brings the others up"
    everyone = app.test_cli_runner().invoke(args=["keys", "rotate-dek", "--all"])
    assert everyone.exit_code == 0, everyone.output
    with app.app_context():
        assert set(db.session.scalars(select(Person.dek_version))) == {3}
        document = db.session.scalar(select(Document))
        assert sorted(p.name for p in Path(app.config["CASEWORK_DOCUMENT_DIR"]).iterdir()) == [file_path(document).name]
    _fresh_app_reads_everyone(app, ids)


def test_status_counts_rows_per_key_version(own_keys_app):
    app = own_keys_app
    _people(app, 3)
    output = app.test_cli_runner().invoke(args=["keys", "status"]).output
    assert "version 1 (current): 3 rows" in output
    assert "generation 1: 3 persons" in output


def test_running_app_picks_up_a_rotated_key_file(own_keys_app):
    """Rotation is safe while the app serves: it re-reads the key file when it changes."""
    app = own_keys_app
    ids = _people(app, 2)
    with app.app_context():
        assert current_keys().kek.current_version == 1
    app.test_cli_runner().invoke(args=["keys", "rotate-kek"])
    with app.app_context():
        assert current_keys().kek.current_version == 2
        new = _marker_person()
        db.session.add(new)
        db.session.commit()
        assert new.key.kek_version == 2
        assert db.session.get(Person, ids[1]).surname_latin == "Rotatova-1"


def test_the_request_after_a_rotation_uses_the_rotated_key_file(own_keys_app):
    """A request reads the key file once and keeps what it read until it ends (a page of 25 people
    does not look at the file 25 times); the next request sees a rotation made meanwhile."""
    app = own_keys_app
    ids = _people(app, 2)
    with app.test_request_context("/cases/"):
        assert current_keys().kek.current_version == 1
        assert db.session.get(Person, ids[0]).surname_latin == "Rotatova-0"
    app.test_cli_runner().invoke(args=["keys", "rotate-kek"])
    with app.test_request_context("/cases/"):
        new = _marker_person()
        db.session.add(new)
        db.session.commit()
        assert new.key.kek_version == 2
        assert db.session.get(Person, ids[1]).surname_latin == "Rotatova-1"


def test_keys_init_refuses_to_overwrite(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from casework.keys_cli import keys_cli

    monkeypatch.setenv("CASEWORK_KEY_FILE", str(tmp_path / "keys.json"))
    monkeypatch.delenv("CASEWORK_KEYS", raising=False)
    runner = CliRunner()
    assert runner.invoke(keys_cli, ["init"]).exit_code == 0
    assert (tmp_path / "keys.json").stat().st_mode & 0o777 == 0o600
    original = (tmp_path / "keys.json").read_text()
    again = runner.invoke(keys_cli, ["init"])
    assert again.exit_code != 0 and "refusing to overwrite" in again.output
    assert runner.invoke(keys_cli, ["init", "--exist-ok"]).exit_code == 0
    assert (tmp_path / "keys.json").read_text() == original
    parse_keys(original, "test")


# S5: blind indexes.


@pytest.fixture
def people(app):
    with app.app_context():
        ivanov = Person(
            surname_latin="Ivanov",
            given_names_latin="Sergei",
            surname_cyrillic="Иванов",
            given_names_cyrillic="Сергей",
            date_of_birth=date(1990, 3, 4),
            phone="06 1234 5678",
            email="S.Ivanov@Example.org",
            telegram="@SergeyIv",
            passport_number="75 1234567",
        )
        khrushchev = Person(surname_cyrillic="Хрущёв", given_names_cyrillic="Никита", date_of_birth=date(1985, 1, 1))
        db.session.add_all([ivanov, khrushchev])
        db.session.commit()
        return {"ivanov": ivanov.id, "khrushchev": khrushchev.id}


@pytest.mark.parametrize(
    "query",
    [
        {"email": "s.ivanov@example.org "},
        {"phone": "+31 6 12345678"},
        {"phone": "0031612345678"},
        {"telegram": "sergeyiv"},
        {"telegram": "https://t.me/SergeyIv"},
        {"passport": "751234567"},
        {"surname": "Иванов", "birth_year": 1990},
        {"surname": "Iwanow", "birth_year": 1990},
        {"surname": "IVANOFF", "birth_year": 1990},
        {"surname": "ivanov", "given_names": "Сергей"},
        {"surname": "Иванов", "given_names": "Sergej"},
    ],
)
def test_find_people_across_spellings_and_scripts(app, people, query):
    with app.app_context():
        assert [match.person.id for match in find_people(**query)] == [people["ivanov"]]


@pytest.mark.parametrize(
    "query",
    [
        {"surname": "Khrushchev", "birth_year": 1985},
        {"surname": "Хрущев", "birth_year": 1985},
        {"surname": "Hruschev", "birth_year": 1985},
    ],
)
def test_transliteration_variants_meet(app, people, query):
    with app.app_context():
        assert [match.person.id for match in find_people(**query)] == [people["khrushchev"]]


def test_a_surname_alone_or_a_wrong_year_finds_nobody(app, people):
    with app.app_context():
        assert find_people(surname="Ivanov") == []
        assert find_people(surname="Ivanov", birth_year=1991) == []


def test_candidates_are_confirmed_after_decryption(app, people):
    """Give Khrushchev an index row that collides with Ivanov's e-mail: he must not be returned."""
    with app.app_context():
        row = db.session.scalar(select(BlindIndex).where(BlindIndex.person_id == people["ivanov"], BlindIndex.name == "email"))
        db.session.add(BlindIndex(person_id=people["khrushchev"], name="email", key_version=row.key_version, digest=row.digest))
        db.session.commit()
        assert [match.person.id for match in find_people(email="s.ivanov@example.org")] == [people["ivanov"]]


def test_index_key_differs_from_encryption_key_and_indexes_are_keyed(app, people):
    with app.app_context():
        keys = current_keys()
        assert keys.index.current != keys.kek.current
        digests = set(db.session.scalars(select(BlindIndex.digest)))
        import hashlib

        assert hashlib.sha256(b"s.ivanov@example.org").digest()[:4] not in digests, "a plain hash would be guessable"
        assert all(len(digest) == 4 for digest in digests)


def test_indexes_follow_changes(app, people):
    with app.app_context():
        person = db.session.get(Person, people["ivanov"])
        person.email = "new.address@example.org"
        db.session.commit()
        assert find_people(email="s.ivanov@example.org") == []
        assert [m.person.id for m in find_people(email="new.address@example.org")] == [people["ivanov"]]


# S6: erasure by crypto-shredding.


def test_erasure_shreds_key_indexes_and_documents(app, people):
    with app.app_context():
        person = db.session.get(Person, people["ivanov"])
        document = store_document(person, "passport.pdf", PDF)
        db.session.commit()
        stored_file = file_path(document)
        copy = dict(
            db.session.execute(text("SELECT surname_latin, email FROM persons WHERE id = :id"), {"id": person.id}).one()._mapping
        )
        erase_person(person)
        db.session.commit()
        assert not stored_file.exists()
        assert db.session.scalar(select(PersonKey).where(PersonKey.person_id == person.id)) is None
        assert db.session.scalars(select(BlindIndex).where(BlindIndex.person_id == person.id)).all() == []
        assert db.session.scalars(select(Document).where(Document.person_id == person.id)).all() == []
        assert find_people(email="s.ivanov@example.org") == []
        db.session.expire_all()
        erased = db.session.get(Person, person.id)
        assert erased.erased and erased.surname_latin is None
        erased._surname_latin_sealed = copy["surname_latin"]
        with pytest.raises(DecryptionError):
            _ = erased.surname_latin
        other = db.session.get(Person, people["khrushchev"])
        assert other.surname_cyrillic == "Хрущёв", "nobody else is touched"


def test_old_backup_with_the_wrapped_key_is_dead_after_kek_rotation(own_keys_app, tmp_path):
    """Even a full backup holding the wrapped data key stops decrypting once the key-encryption key
    it was wrapped with is retired (docs/encryption.md, "Erasure")."""
    app = own_keys_app
    ids = _people(app, 2)
    with app.app_context():
        backup = {pid: (k.kek_version, k.wrapped) for pid, k in ((pid, db.session.get(PersonKey, pid)) for pid in ids)}
        erase_person(db.session.get(Person, ids[0]))
        db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["keys", "rotate-kek"]).exit_code == 0
    assert runner.invoke(args=["keys", "retire", "--ring", "kek", "--version", "1"]).exit_code == 0
    with app.app_context():
        version, wrapped = backup[ids[0]]
        with pytest.raises(ConfigError):
            current_keys().kek.get(version)


# Documents


def test_document_round_trip_and_refusals(app, people):
    with app.app_context():
        person = db.session.get(Person, people["ivanov"])
        document = store_document(person, "Повестка.pdf", PDF)
        db.session.commit()
        assert document.content_type == "application/pdf"
        assert read_document(document) == PDF and document.original_name == "Повестка.pdf"
        assert file_path(document).stat().st_mode & 0o777 == 0o600
        with pytest.raises(DocumentRefused):
            store_document(person, "virus.pdf", b"MZ\x90\x00 not a pdf at all")
        app.config["CASEWORK_DOCUMENT_MAX_BYTES"] = 100
        with pytest.raises(DocumentRefused):
            store_document(person, "big.pdf", PDF + b"x" * 200)
        png = store_document(person, "photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
        assert png.content_type == "image/png"


# S19: keys that are missing or unsafe stop the app.


def _write(tmp_path, document) -> Path:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(document))
    return path


def _key(byte: int, length: int = 32) -> str:
    return base64.b64encode(bytes([byte]) * length).decode()


@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        ({"kek": {"1": _key(1)}, "audit": {"1": _key(3)}}, "no blind-index roots"),
        ({"kek": {"1": _key(1)}, "index": {"1": _key(2)}}, "no audit-chain keys"),
        ({"kek": {"1": _key(1, 16)}, "index": {"1": _key(2)}, "audit": {"1": _key(3)}}, "not 32 bytes"),
        ({"kek": {"1": _key(1)}, "index": {"1": _key(1)}, "audit": {"1": _key(3)}}, "index key is the same as an encryption key"),
        ({"kek": {"1": _key(1)}, "index": {"1": _key(2)}, "audit": {"1": _key(2)}}, "audit-chain key is the same"),
        ({"kek": {"one": _key(1)}, "index": {"1": _key(2)}, "audit": {"1": _key(3)}}, "not a key version"),
        ({"kek": {"1": "not base64!"}, "index": {"1": _key(2)}, "audit": {"1": _key(3)}}, "not base64"),
    ],
)
def test_unsafe_keys_stop_the_app(settings, tmp_path, document, complaint):
    path = _write(tmp_path, document)
    with pytest.raises(ConfigError, match=complaint):
        create_app({**settings, "CASEWORK_KEY_FILE": str(path)})


def test_missing_or_unreadable_key_file_stops_the_app(settings, tmp_path):
    with pytest.raises(ConfigError, match="keys init"):
        create_app({**settings, "CASEWORK_KEY_FILE": str(tmp_path / "absent.json")})
    (tmp_path / "folder.json").mkdir()
    with pytest.raises(ConfigError, match="cannot be read"):
        create_app({**settings, "CASEWORK_KEY_FILE": str(tmp_path / "folder.json")})
    (tmp_path / "garbage.json").write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        create_app({**settings, "CASEWORK_KEY_FILE": str(tmp_path / "garbage.json")})


def test_production_refuses_a_key_file_others_can_read(settings, tmp_path):
    path = tmp_path / "keys.json"
    write_key_file(path, generate_keys(), new=True)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        create_app(production_settings(settings, CASEWORK_KEY_FILE=str(path)))


def test_keys_from_the_environment(settings, tmp_path):
    from casework.keyring import dump_keys

    app = create_app(
        {**settings, "CASEWORK_KEY_FILE": str(tmp_path / "absent.json"), "CASEWORK_KEYS": dump_keys(generate_keys())}
    )
    with app.app_context():
        db.create_all()
        person = Person(surname_latin="Envkeyova")
        db.session.add(person)
        db.session.commit()
        assert db.session.get(Person, person.id).surname_latin == "Envkeyova"


def test_key_error_messages_carry_no_key_material(settings, tmp_path):
    secret = _key(7)
    path = _write(tmp_path, {"kek": {"1": secret}, "index": {"1": secret}, "audit": {"1": _key(8)}})
    with pytest.raises(ConfigError) as raised:
        create_app({**settings, "CASEWORK_KEY_FILE": str(path)})
    assert secret not in str(raised.value)


def test_key_file_backup_and_database_are_separate(app):
    """The key file is never inside the database: no table holds key material."""
    keys = current_keys_of(app)
    with app.app_context():
        db.session.add(_marker_person())
        db.session.commit()
        raw = _raw_database_bytes(app)
    for key in list(keys.kek.keys.values()) + list(keys.index.keys.values()):
        assert key not in raw and base64.b64encode(key) not in raw


def current_keys_of(app):
    with app.app_context():
        return current_keys()


def test_shutil_copy_of_the_document_store_reveals_nothing(app, tmp_path, people):
    with app.app_context():
        store_document(db.session.get(Person, people["ivanov"]), "scan-Маркерова-5521.pdf", PDF)
        db.session.commit()
    backup = tmp_path / "backup"
    shutil.copytree(app.config["CASEWORK_DOCUMENT_DIR"], backup)
    data = b"".join(path.read_bytes() for path in backup.iterdir())
    assert _hits(data) == []
