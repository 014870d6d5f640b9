"""`flask import cases` and `flask import resume`, and the web and the command line over the
documented sample giving the same cases."""

import json

import pytest
from sqlalchemy import func, select

from casework import jobs
from casework.extensions import db
from casework.imports import importing, sealing
from casework.models import Case
from casework.models.imports import ImportRun
from tests.conftest import csrf_from
from tests.import_sheets import SAMPLE_COLUMNS, SAMPLE_CREATED, SAMPLE_CSV, csv_bytes, sample_xlsx
from tests.test_import_web import walk_to_check


def cases_of(app) -> list[tuple]:
    """Every case's person and facts as a coordinator would read them."""
    with app.app_context():
        return sorted(
            (
                case.person.surname_latin,
                case.person.given_names_cyrillic,
                case.person.date_of_birth,
                case.person.sex,
                case.person.phone,
                case.location,
                case.military_situation,
                case.dutch_status,
                case.permit_expires_on,
                case.needs,
                case.narrative,
            )
            for case in db.session.scalars(select(Case))
        )


def count_flagged(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Case).where(Case.possible_duplicate))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def run_cli(runner, *arguments):
    return runner.invoke(args=["import", "cases", *map(str, arguments)])


def test_the_command_imports_the_sample_with_a_progress_bar(app, runner, make_user):
    coordinator = make_user("coordinator")
    result = run_cli(runner, SAMPLE_CSV, "--as", coordinator.email, "--vouch")
    assert result.exit_code == 0, result.output
    assert "Importing rows" in result.output and "4 cases created, 1 rows not imported." in result.output
    assert "row 5 not imported: date_of_birth" in result.output
    assert "row 6 created, queued as a possible duplicate" in result.output
    assert sorted(row[0] for row in cases_of(app)) == sorted(SAMPLE_CREATED)
    with app.app_context():
        run = db.session.scalar(select(ImportRun))
        assert run.state == "done" and not sealing.file_path(run).exists()


def test_the_web_and_the_command_line_give_the_same_cases(app, runner, signed_in, make_user):
    client, _ = signed_in("coordinator")
    check_url = walk_to_check(client, SAMPLE_CSV.read_bytes(), SAMPLE_CSV.name)
    page = client.get(check_url).get_data(as_text=True)
    client.post(check_url, data={"csrf_token": csrf_from(page), "source": SAMPLE_CSV.name, "vouch": "y"})
    with app.app_context():
        jobs.run_queued()
    from_web = cases_of(app)
    assert sorted(row[0] for row in from_web) == sorted(SAMPLE_CREATED) and count_flagged(app) == 1
    result = run_cli(runner, SAMPLE_CSV, "--as", make_user("coordinator").email, "--vouch")
    assert result.exit_code == 0, result.output
    assert sorted(cases_of(app)) == sorted(from_web * 2)
    assert count_flagged(app) == 1 + 4, "the second import finds every person of the first"


def test_the_xlsx_sample_gives_the_cases_of_the_csv_sample(app, runner, make_user, tmp_path):
    coordinator = make_user("coordinator")
    workbook = tmp_path / "import-sample.xlsx"
    workbook.write_bytes(sample_xlsx())
    assert run_cli(runner, SAMPLE_CSV, "--as", coordinator.email, "--vouch").exit_code == 0
    from_csv = cases_of(app)
    result = run_cli(runner, workbook, "--as", coordinator.email, "--vouch")
    assert result.exit_code == 0, result.output
    assert sorted(cases_of(app)) == sorted(from_csv * 2)


def test_a_dry_run_writes_no_case_and_deletes_the_file(app, runner, make_user):
    coordinator = make_user("coordinator")
    result = run_cli(runner, SAMPLE_CSV, "--as", coordinator.email, "--dry-run", "--language", "ru")
    assert result.exit_code == 0, result.output
    assert "row 2: new" in result.output and "row 5: refused" in result.output and "row 6: duplicate" in result.output
    assert "Дата рождения" in result.output  # the intake form's label, in the language asked for
    assert count(app, Case) == 0
    with app.app_context():
        run = db.session.scalar(select(ImportRun))
        assert run.state == "abandoned" and not sealing.file_path(run).exists()


def test_without_vouching_nothing_is_imported(app, runner, make_user):
    result = run_cli(runner, SAMPLE_CSV, "--as", make_user("coordinator").email)
    assert result.exit_code != 0 and "--vouch" in result.output
    assert count(app, Case) == 0 and count(app, ImportRun) == 0


@pytest.mark.parametrize("role", ["volunteer", "advocate", "admin"])
def test_only_a_coordinator_may_import(app, runner, make_user, role):
    result = run_cli(runner, SAMPLE_CSV, "--as", make_user(role).email, "--vouch")
    assert result.exit_code != 0 and "not an active account allowed to import" in result.output
    assert count(app, Case) == 0


def test_mapping_options_and_files_name_the_columns_and_values(app, runner, make_user, tmp_path):
    coordinator = make_user("coordinator")
    sheet = tmp_path / "odd.csv"
    sheet.write_text("A,B,C,D\nOddov,Ivan,+79261113001,на лодке\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"columns": {"A": "surname_latin", "B": "given_names_latin"}}), encoding="utf-8")
    result = run_cli(
        runner, sheet, "--as", coordinator.email, "--vouch", "--mapping", mapping,
        "--map", "C=phone", "--map", "D=location", "--value", "location:на лодке=third_other",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert (case.person.surname_latin, case.person.phone, case.location) == ("Oddov", "+79261113001", "third_other")
    again = tmp_path / "again.csv"
    again.write_text("A,B,C,D\nOddova,Anna,+79261113002,на лодке\n", encoding="utf-8")
    result = run_cli(runner, again, "--as", coordinator.email, "--vouch")
    assert result.exit_code == 0 and "A -> surname_latin" in result.output, "the saved layout and values are reused"
    assert count(app, Case) == 2
    wrong = run_cli(runner, again, "--as", coordinator.email, "--vouch", "--map", "Z=phone")
    assert wrong.exit_code != 0 and "no column named Z" in wrong.output


def test_an_interrupted_command_resumes(app, runner, make_user, monkeypatch):
    coordinator = make_user("coordinator")
    real, calls = importing.create_case, {"n": 0}

    def failing_after_two(data, actor, **options):
        calls["n"] += 1
        if calls["n"] > 2:
            raise RuntimeError("killed")
        return real(data, actor, **options)

    monkeypatch.setattr(importing, "create_case", failing_after_two)
    result = run_cli(runner, SAMPLE_CSV, "--as", coordinator.email, "--vouch", "--batch", "1")
    assert result.exit_code != 0 and "import resume" in result.output
    assert count(app, Case) == 2
    run_id = result.output.split("import resume ")[1].split()[0]
    monkeypatch.setattr(importing, "create_case", real)
    result = runner.invoke(args=["import", "resume", run_id, "--as", coordinator.email])
    assert result.exit_code == 0, result.output
    assert sorted(row[0] for row in cases_of(app)) == sorted(SAMPLE_CREATED)


def test_the_sample_and_its_columns_agree(app):
    """docs/import.md says which fact each column of the sample holds; the headers say the same."""
    from casework.imports.headers import suggest_columns
    from tests.import_sheets import sample_rows

    with app.app_context():
        assert suggest_columns(sample_rows()[0]) == SAMPLE_COLUMNS
    assert b"DEMO" in csv_bytes(*sample_rows())
