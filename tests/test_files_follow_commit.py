"""Document files follow the transaction: an erasure, a retention run or a data-key rotation cut
short at any point leaves every document row with its file, and after the sweep no file without
its row."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from casework.clock import utcnow
from casework.crypto import DecryptionError
from casework.extensions import db
from casework.models import Case, Document, Person, Role, User
from casework.people.documents import file_path, read_document, store_document
from casework.people.erasure import erase_person

PDF = b"%PDF-1.7\nfollow the commit\n%%EOF"
PEOPLE = 6


class Killed(Exception):
    """Stands for the process dying at this point."""


@pytest.fixture
def app(own_keys_app):
    app = own_keys_app
    with app.app_context():
        role = db.session.scalar(select(Role).where(Role.name == "coordinator"))
        coordinator = User(email="coordinator@example.org", fs_uniquifier="coordinator", role=role)
        db.session.add(coordinator)
        db.session.flush()
        long_ago = utcnow() - timedelta(days=3650)
        for n in range(PEOPLE):
            person = Person(surname_latin=f"Commitova-{n}")
            db.session.add(person)
            case = Case(person=person, created_by_id=coordinator.id, created_at=long_ago, closed_at=long_ago, status="closed")
            db.session.add(case)
            for page in range(2):
                store_document(person, f"page-{page}.pdf", PDF).case_id = case.id
        db.session.commit()
    return app


def _die_on_call(monkeypatch, module, name: str, call: int) -> None:
    """Make `module.name` raise `Killed` on its `call`-th use, as a crash at that point would."""
    real, calls = getattr(module, name), {"n": 0}

    def dying(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == call:
            raise Killed
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, dying)


def _rows_and_files(app) -> tuple[list[Document], set[str]]:
    with app.app_context():
        folder = Path(app.config["CASEWORK_DOCUMENT_DIR"])
        files = {path.name for path in folder.iterdir()}
        documents = db.session.scalars(select(Document)).all()
        unreadable = []
        for document in documents:
            try:
                assert read_document(document) == PDF
            except (OSError, AssertionError, DecryptionError):
                unreadable.append(document.id)
        referenced = {file_path(d).name for d in documents}
        return unreadable, files - referenced


def _sweep(app) -> None:
    result = app.test_cli_runner().invoke(args=["documents", "sweep", "--min-age", "0"])
    assert result.exit_code == 0, result.output


def test_an_erasure_rolled_back_keeps_its_files_and_a_committed_one_removes_them(app):
    with app.app_context():
        person = db.session.scalar(select(Person).limit(1))
        paths = [file_path(d) for d in db.session.scalars(select(Document).where(Document.person_id == person.id))]
        erase_person(person)
        db.session.flush()
        assert all(path.exists() for path in paths), "nothing deleted before the commit"
        db.session.rollback()
        assert all(path.exists() for path in paths)
        erase_person(db.session.get(Person, person.id))
        db.session.commit()
        assert not any(path.exists() for path in paths)
    assert _rows_and_files(app) == ([], set())


@pytest.mark.parametrize("kill_at", [1, 2, 4, 7, 8])
def test_a_retention_run_killed_mid_batch_leaves_every_row_its_file(app, monkeypatch, kill_at):
    """Each erasure releases two files; a batch is three people, so call 7 is in the second batch."""
    import casework.people.erasure as erasure

    _die_on_call(monkeypatch, erasure, "delete_after_commit", kill_at)
    result = app.test_cli_runner().invoke(args=["retention", "run", "--months", "1", "--batch", "3"])
    assert isinstance(result.exception, Killed)
    unreadable, orphans = _rows_and_files(app)
    assert unreadable == []
    _sweep(app)
    assert _rows_and_files(app) == ([], set())


@pytest.mark.parametrize("kill_at", [1, 3, 6, 9])
def test_a_data_key_rotation_killed_mid_way_leaves_every_row_its_file(app, monkeypatch, kill_at):
    import casework.people.documents as documents

    _die_on_call(monkeypatch, documents, "encrypt_field", kill_at)
    result = app.test_cli_runner().invoke(args=["keys", "rotate-dek", "--all", "--batch", "2"])
    assert isinstance(result.exception, Killed)
    unreadable, _orphans = _rows_and_files(app)
    assert unreadable == []
    monkeypatch.undo()
    resumed = app.test_cli_runner().invoke(args=["keys", "rotate-dek", "--all"])
    assert resumed.exit_code == 0, resumed.output
    assert _rows_and_files(app) == ([], set()), "superseded files are gone once the rotation is committed"


def test_a_crash_between_commit_and_deletion_leaves_files_the_sweep_removes(app, monkeypatch):
    import casework.people.documents as documents

    monkeypatch.setattr(documents, "_remove", lambda paths: None)
    with app.app_context():
        erase_person(db.session.scalar(select(Person).limit(1)))
        db.session.commit()
    monkeypatch.undo()
    unreadable, orphans = _rows_and_files(app)
    assert unreadable == [] and len(orphans) == 2
    _sweep(app)
    assert _rows_and_files(app) == ([], set())


def test_the_sweep_leaves_young_files_and_reports_rows_without_files(app):
    folder = Path(app.config["CASEWORK_DOCUMENT_DIR"])
    (folder / "in-flight.v1").write_bytes(b"written by a transaction not yet committed")
    result = app.test_cli_runner().invoke(args=["documents", "sweep"])
    assert result.exit_code == 0 and (folder / "in-flight.v1").exists()
    victim = sorted(folder.iterdir())[0]
    victim.unlink()
    result = app.test_cli_runner().invoke(args=["documents", "sweep", "--min-age", "0"])
    assert not (folder / "in-flight.v1").exists()
    assert result.exit_code == 1 and "1 document rows have no file" in result.output


def test_the_coordinators_erasure_deletes_files_only_when_committed(app):
    from casework.cases.operations import erase

    with app.app_context():
        case = db.session.scalar(select(Case).limit(1))
        erase(case, db.session.scalar(select(User)))
        db.session.rollback()
    assert _rows_and_files(app) == ([], set())


def test_a_duplicate_merge_rolled_back_leaves_the_documents_readable(app):
    """Moving a case to another person of the same data-key generation writes the documents under
    new names, so the files the rolled-back rows still refer to are untouched."""
    from casework.cases.operations import move_case

    with app.app_context():
        case, other = db.session.scalars(select(Case).order_by(Case.id).limit(2)).all()
        assert case.person.dek_version == other.person.dek_version
        move_case(case, other.person)
        db.session.flush()
        db.session.rollback()
    assert _rows_and_files(app) == ([], set())
    with app.app_context():
        case, other = db.session.scalars(select(Case).order_by(Case.id).limit(2)).all()
        move_case(case, other.person)
        db.session.commit()
    assert _rows_and_files(app) == ([], set()), "the files under the old person's key are gone once committed"


def test_files_named_before_the_tag_are_read_kept_and_replaced_on_the_next_seal(app):
    with app.app_context():
        document = db.session.scalar(select(Document).limit(1))
        current = file_path(document)
        legacy = current.with_name(f"{document.id}.v{document.person.dek_version}")
        current.rename(legacy)
        assert file_path(document) == legacy and read_document(document) == PDF
    _sweep(app)
    assert legacy.exists(), "the sweep keeps a file in the older form"
    assert app.test_cli_runner().invoke(args=["keys", "rotate-dek", "--all"]).exit_code == 0
    assert not legacy.exists()
    assert _rows_and_files(app) == ([], set())
