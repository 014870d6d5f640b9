"""The import's rules without the web: dry run, import, consent, duplicates, audit, resumption after
an interruption, the sealed upload, expiry, and a raw scan of the database afterwards (S2)."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from casework.clock import utcnow
from casework.extensions import db
from casework.imports import importing, operations, sealing
from casework.imports.headers import suggest_columns
from casework.models import AuditEvent, Case, CaseTag, Consent, User
from casework.models.imports import ImportLayout, ImportRow, ImportRun
from tests.import_sheets import (
    BROKEN_DATE_ROW,
    HEADERS,
    IMPORTED_NAMES,
    KNOWN_PERSON_ROW,
    REPEATED_ROW,
    ROWS,
    UNKNOWN_VALUE_ROW,
    csv_bytes,
    xlsx_bytes,
)
from tests.test_encryption import _encodings, _raw_database_bytes

COLUMNS = [
    "surname_cyrillic",
    "given_names_cyrillic",
    "surname_latin",
    "given_names_latin",
    "date_of_birth",
    "sex",
    "phone",
    "military_situation",
    "location",
    "needs",
]
FORMATS = {"csv": csv_bytes, "xlsx": xlsx_bytes}


@pytest.fixture(params=sorted(FORMATS))
def upload(request):
    return request.param, FORMATS[request.param]()


def _prepared(app, coordinator, name: str, content: bytes) -> str:
    """An uploaded run with its columns mapped, as the web's first steps leave it."""
    with app.app_context():
        actor = db.session.get(User, coordinator.id)
        run, sheet = operations.start_run(actor, name, content)
        operations.save_layout(run, sheet.headers, COLUMNS, actor)
        db.session.commit()
        return run.id


def _cases(app) -> list[tuple]:
    with app.app_context():
        return sorted(
            (case.person.surname_latin, case.person.date_of_birth, case.military_situation, case.possible_duplicate)
            for case in db.session.scalars(select(Case))
        )


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_headers_are_recognised_in_russian_and_english(app):
    with app.app_context():
        assert suggest_columns(HEADERS) == COLUMNS


def test_the_dry_run_reports_each_row_and_writes_no_case(app, make_user, create_case, upload):
    coordinator = make_user("coordinator")
    create_case(by=coordinator)  # Sokolov, the person of the sheet's last row
    run_id = _prepared(app, coordinator, f"cases.{upload[0]}", upload[1])
    with app.app_context():
        reports = {
            report.checked.number: report
            for report in importing.dry_run(db.session.get(ImportRun, run_id), db.session.get(User, coordinator.id))
        }
        db.session.commit()
    assert sorted(reports) == list(range(2, 2 + len(ROWS)))
    assert {number for number, report in reports.items() if report.outcome == "new"} == {2, 3, 4}
    assert list(reports[BROKEN_DATE_ROW].checked.problems) == ["date_of_birth"]
    assert list(reports[UNKNOWN_VALUE_ROW].checked.problems) == ["military_situation"]
    assert reports[REPEATED_ROW].outcome == "duplicate" and reports[REPEATED_ROW].same_as == [2]
    assert reports[KNOWN_PERSON_ROW].outcome == "duplicate" and reports[KNOWN_PERSON_ROW].matches
    assert reports[KNOWN_PERSON_ROW].same_as == []
    assert reports[2].checked.data["date_of_birth"] == date(1993, 4, 5)
    assert reports[4].checked.data["date_of_birth"] == date(1992, 1, 1)  # the Excel serial 33604
    assert reports[3].checked.data["needs"] == ["housing", "money"]
    assert _count(app, Case) == 1 and _count(app, ImportRow) == 0
    assert _count(app, AuditEvent, AuditEvent.action == "import_checked") == 1


def test_the_dry_run_speaks_the_readers_language(app, make_user):
    """The intake's own validators answer, in the coordinator's language."""
    coordinator = make_user("coordinator")
    content = csv_bytes(rows=[["Иванов", "Иван", "Ivanov", "Ivan", "01.01.1990", "м", "12", "reservist", "Грузия", ""]])
    run_id = _prepared(app, coordinator, "phones.csv", content)
    with app.app_context(), force_locale("ru"):
        (report,) = importing.dry_run(db.session.get(ImportRun, run_id), db.session.get(User, coordinator.id))
        english = "This does not look like a phone number"
        assert report.checked.problems["phone"] and english not in report.checked.problems["phone"][0]
        assert report.checked.labels["phone"] == "Телефон"
    with app.app_context(), force_locale("en"):
        (report,) = importing.dry_run(db.session.get(ImportRun, run_id), db.session.get(User, coordinator.id))
        assert english in report.checked.problems["phone"][0]


def test_the_import_creates_each_valid_row_as_the_intake_would(app, make_user, create_case, upload):
    coordinator = make_user("coordinator")
    create_case(by=coordinator)
    run_id = _prepared(app, coordinator, f"cases.{upload[0]}", upload[1])
    with app.app_context():
        run = db.session.get(ImportRun, run_id)
        sealing.set_source(run, "Telegram sheet, spring")
        db.session.commit()
        importing.import_run(run_id, db.session.get(User, coordinator.id), batch=2)
    assert _cases(app) == [
        ("Markerov", date(1993, 4, 5), "mobilised", False),
        ("Markerov", date(1993, 4, 5), "mobilised", True),
        ("Shifrova", date(1991, 7, 21), "never_served", False),
        ("Sokolov", date(1994, 2, 3), "reservist", False),
        ("Sokolov", date(1994, 2, 3), "reservist", True),
        ("Sverkin", date(1992, 1, 1), "mobilised", False),
    ]
    with app.app_context():
        rows = {row.row_number: row for row in db.session.scalars(select(ImportRow))}
        assert {number: row.state for number, row in rows.items()} == {
            2: "created",
            3: "created",
            4: "created",
            5: "refused",
            6: "refused",
            7: "created",
            8: "created",
        }
        assert rows[BROKEN_DATE_ROW].problems == "date_of_birth" and rows[BROKEN_DATE_ROW].case_id is None
        assert rows[2].source == "Telegram sheet, spring"
        imported = db.session.scalars(select(Consent).where(Consent.method == "imported")).all()
        assert len(imported) == 5 and {(c.store, c.recorded_by_id) for c in imported} == {(True, coordinator.id)}
        new = db.session.get(Case, rows[2].case_id)
        assert new.assignee_id is None and new.status == "new" and new.age_band == "25-34"
        assert dict(new.deadlines) == {"conscription_age_end": date(2020, 4, 4)}
        assert db.session.scalars(select(CaseTag.proposal).where(CaseTag.case_id == new.id, CaseTag.holds)).all() == ["P1"]
        actions = [event.action for event in db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == coordinator.id))]
        assert actions.count("case_created") == 1 + 5 and actions.count("cases_imported") == 1
        run = db.session.get(ImportRun, run_id)
        assert run.state == "done" and run.wrapped_key is None and run.sealed_name is None
        assert not sealing.file_path(run).exists()


def test_an_interrupted_import_resumes_without_creating_any_row_twice(app, make_user, monkeypatch):
    coordinator = make_user("coordinator")
    rows = [
        [
            f"Прерванов{n}",
            "Иван",
            f"Prervanov{n}",
            "Ivan",
            f"0{n % 9 + 1}.01.1990",
            "м",
            f"+792611120{n:02d}",
            "reservist",
            "Грузия",
            "",
        ]
        for n in range(11)
    ]
    run_id = _prepared(app, coordinator, "long.csv", csv_bytes(rows=rows))
    calls = {"n": 0}
    real = importing.create_case

    def failing_after_seven(data, actor, **options):
        calls["n"] += 1
        if calls["n"] > 7:
            raise RuntimeError("the power went out")
        return real(data, actor, **options)

    monkeypatch.setattr(importing, "create_case", failing_after_seven)
    with app.app_context(), pytest.raises(RuntimeError):
        importing.import_run(run_id, db.session.get(User, coordinator.id), batch=3)
    assert _count(app, Case) == 6 and _count(app, ImportRow) == 6  # two whole batches; the third rolled back
    with app.app_context():
        run = db.session.get(ImportRun, run_id)
        assert run.state == "interrupted" and sealing.file_path(run).exists()
    monkeypatch.setattr(importing, "create_case", real)
    with app.app_context():
        importing.import_run(run_id, db.session.get(User, coordinator.id), batch=3)
    assert _count(app, Case) == 11 and _count(app, ImportRow) == 11
    with app.app_context():
        surnames = [case.person.surname_latin for case in db.session.scalars(select(Case))]
    assert sorted(surnames) == sorted(f"Prervanov{n}" for n in range(11))


def test_the_upload_is_sealed_on_disk_and_a_raw_scan_finds_no_imported_name(app, make_user, upload):
    coordinator = make_user("coordinator")
    run_id = _prepared(app, coordinator, f"Маркеров и другие.{upload[0]}", upload[1])
    with app.app_context():
        run = db.session.get(ImportRun, run_id)
        sealed = sealing.file_path(run).read_bytes()
        assert sealing.read_file(run) == upload[1] and sealing.file_name(run) == f"Маркеров и другие.{upload[0]}"
        raw = _raw_database_bytes(app)
    assert not [name for name in IMPORTED_NAMES if any(form in sealed or form in raw for form in _encodings(name))]
    with app.app_context():
        importing.import_run(run_id, db.session.get(User, coordinator.id))
        assert _count(app, Case) == 5
        raw = _raw_database_bytes(app)
    found = [name for name in IMPORTED_NAMES if any(form in raw for form in _encodings(name))]
    assert found == []
    assert "Маркеров".encode() in csv_bytes()  # the scan looks for what the sheet really holds


def test_a_saved_layout_comes_back_for_the_same_header_row_and_keeps_no_cell(app, make_user):
    coordinator = make_user("coordinator")
    first = _prepared(app, coordinator, "a.csv", csv_bytes())
    with app.app_context():
        run = db.session.get(ImportRun, first)
        operations.map_values(run.layout, {"military_situation": {"в бегах": "deserted"}})
        db.session.commit()
        second, _sheet = operations.start_run(db.session.get(User, coordinator.id), "b.xlsx", xlsx_bytes())
        assert second.layout_id == run.layout_id and operations.columns_of(second) == COLUMNS
        interpreter = importing.interpreter_for(second)
        assert interpreter.unknown_values(_sheet.rows) == {}
        layout = db.session.scalar(select(ImportLayout))
        assert "бегах" not in layout.values and "Фамилия" not in layout.columns
        other, _sheet = operations.start_run(
            db.session.get(User, coordinator.id), "c.csv", csv_bytes(headers=["A", *HEADERS[1:]])
        )
        assert other.layout is None


def test_runs_past_their_expiry_lose_their_file_and_key(app, make_user, runner):
    coordinator = make_user("coordinator")
    run_id = _prepared(app, coordinator, "old.csv", csv_bytes())
    live_id = _prepared(app, coordinator, "new.csv", csv_bytes())
    with app.app_context():
        run = db.session.get(ImportRun, run_id)
        run.expires_at = utcnow() - timedelta(minutes=1)
        path = sealing.file_path(run)
        db.session.commit()
    result = runner.invoke(args=["documents", "sweep"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        run, live = db.session.get(ImportRun, run_id), db.session.get(ImportRun, live_id)
        assert (run.state, run.wrapped_key) == ("expired", None) and not path.exists()
        assert live.state == "uploaded" and sealing.file_path(live).exists()
