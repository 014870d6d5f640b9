"""The import on the web, step by step as a coordinator goes through it, and what it refuses: other
roles (404), files that are not spreadsheets, empty ones, wrong headers, too large ones."""

import re
from io import BytesIO

import pytest
from sqlalchemy import func, select

from casework import jobs
from casework.extensions import db
from casework.models import AuditEvent, Case, Job
from casework.models.imports import ImportRow, ImportRun
from casework.people import normalise
from tests.conftest import csrf_from
from tests.import_sheets import ROWS, UNKNOWN_VALUE_ROW, csv_bytes, xlsx_bytes


def upload(client, content: bytes, name: str = "cases.csv"):
    token = csrf_from(client.get("/imports/").get_data(as_text=True))
    return client.post(
        "/imports/", data={"csrf_token": token, "upload": (BytesIO(content), name)}, content_type="multipart/form-data"
    )


def chosen_columns(page: str) -> dict[str, str]:
    """The column selects of the mapping page with the option each has selected."""
    chosen = {}
    for name, options in re.findall(r'<select[^>]*name="(column_\d+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', options)
        chosen[name] = (selected.group(1) or selected.group(2) or "") if selected else ""
    return chosen


def walk_to_check(client, content: bytes, name: str = "cases.csv", values: dict | None = None) -> str:
    """Upload, accept the suggested columns, map unknown values, let the check job run; return the
    dry run's URL."""
    response = upload(client, content, name)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    columns_url = response.headers["Location"]
    page = client.get(columns_url).get_data(as_text=True)
    response = client.post(columns_url, data={"csrf_token": csrf_from(page), **chosen_columns(page)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    if response.headers["Location"].endswith("/values"):
        assert values, "the sheet has values to map"
        shown = client.get(response.headers["Location"]).get_data(as_text=True)
        response = client.post(response.headers["Location"], data={"csrf_token": csrf_from(shown), **values})
        assert response.status_code == 302
    else:
        assert not values, "no value was left to map"
    check_url = response.headers["Location"]
    assert check_url.endswith("/check")
    waiting = client.get(check_url).get_data(as_text=True)
    assert "/check/start" not in waiting, "the check is under way (in any language), not merely offered"
    with client.application.app_context():
        assert jobs.run_queued() == 1
    return check_url


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("content", "name"), [(csv_bytes(), "cases.csv"), (xlsx_bytes(), "cases.xlsx")])
def test_a_coordinator_imports_a_sheet_step_by_step(app, signed_in, content, name):
    client, _coordinator = signed_in("coordinator")
    response = upload(client, content, name)
    columns_url = response.headers["Location"]
    page = client.get(columns_url).get_data(as_text=True)
    assert chosen_columns(page)["column_0"] == "surname_cyrillic" and chosen_columns(page)["column_7"] == "military_situation"
    check_url = walk_to_check(client, content, name, values={"value_0": "deserted"})
    page = client.get(check_url).get_data(as_text=True)
    assert "This date could not be read" in page and "Looks like the same person as row 2" in page
    assert count(app, Case) == 0
    refused = client.post(check_url, data={"csrf_token": csrf_from(page), "source": "Sheet of March"})
    assert refused.status_code == 400 and "Without your confirmation nothing is imported." in refused.get_data(as_text=True)
    assert 'value="Sheet of March"' in refused.get_data(as_text=True), "what was typed is kept"
    with app.app_context():
        shown = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "import_checked")
        assert db.session.scalar(shown) == 2, "the dry run shown again keeps its audit row (S15)"
    response = client.post(check_url, data={"csrf_token": csrf_from(page), "source": "Sheet of March", "vouch": "y"})
    assert response.status_code == 302
    progress_url = response.headers["Location"]
    assert "waiting for the background worker" in client.get(progress_url).get_data(as_text=True)
    with app.app_context():
        assert jobs.run_queued() == 1
        assert db.session.scalar(select(Job.state).where(Job.kind == "import")) == "done"
    page = client.get(progress_url).get_data(as_text=True)
    assert "The import is finished and its file deleted." in page
    assert count(app, Case) == 6  # the unknown value was mapped by hand: only the broken date fails
    with app.app_context():
        row = db.session.scalar(select(ImportRow).where(ImportRow.row_number == UNKNOWN_VALUE_ROW))
        assert row.case.military_situation == "deserted"
    # The next file of the same layout comes with its columns and values mapped already.
    columns_url = upload(client, content, name).headers["Location"]
    assert "This layout was mapped before" in client.get(columns_url).get_data(as_text=True)
    assert walk_to_check(client, content, name) != check_url


@pytest.mark.parametrize("role", ["volunteer", "advocate", "admin"])
def test_other_roles_get_404_on_every_import_page(app, signed_in, role):
    coordinator, _ = signed_in("coordinator")
    check_url = walk_to_check(coordinator, csv_bytes(), values={"value_0": "deserted"})
    run_id = check_url.split("/")[2]
    client, _user = signed_in(role)
    token = csrf_from(client.get("/").get_data(as_text=True))
    for path in ("/imports/", f"/imports/{run_id}/columns", f"/imports/{run_id}/values", check_url, f"/imports/{run_id}"):
        assert client.get(path).status_code == 404, path
    for path in ("/imports/", f"/imports/{run_id}/abandon", f"/imports/{run_id}/resume", check_url, check_url + "/start"):
        assert client.post(path, data={"csrf_token": token, "vouch": "y", "source": "x"}).status_code == 404, path
    assert count(app, Job) == 1  # the coordinator's check
    assert "/imports/" not in client.get("/").get_data(as_text=True)
    assert "/imports/" in coordinator.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n\x00\x01\x02binary", "neither an XLSX workbook nor a CSV file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "neither an XLSX workbook nor a CSV file"),
        (b"PK\x03\x04not really a zip", "neither an XLSX workbook nor a CSV file"),
        (b"", "The file is empty."),
        (b"\n \n", "The file is empty."),
        (b"Name;Surname\n", "The file has a header row but no rows below it."),
        (b"Name;Name\nA;B\n", "every name once"),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_with_a_clear_message(app, signed_in, content, message):
    client, _ = signed_in("coordinator")
    response = upload(client, content)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, ImportRun) == 0


def test_no_file_chosen_is_refused(app, signed_in):
    client, _ = signed_in("coordinator")
    token = csrf_from(client.get("/imports/").get_data(as_text=True))
    response = client.post("/imports/", data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a file." in response.get_data(as_text=True)


def test_the_refusal_is_in_the_readers_language(app, signed_in):
    client, _ = signed_in("coordinator")
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/language", data={"csrf_token": token, "locale": "ru", "next": "/"})
    token = csrf_from(client.get("/imports/").get_data(as_text=True))
    page = client.post("/imports/", data={"csrf_token": token}, content_type="multipart/form-data").get_data(as_text=True)
    assert 'lang="ru"' in page and "Choose a file." not in page and "Выберите файл" in page


def test_a_file_over_the_limit_is_refused_before_anything_is_kept(app, signed_in):
    app.config["CASEWORK_IMPORT_MAX_BYTES"] = 1024 * 1024
    client, _ = signed_in("coordinator")
    response = upload(client, csv_bytes() + b"x" * (1024 * 1024))
    assert response.status_code == 400
    assert "larger than the limit of 1 MB" in response.get_data(as_text=True)
    assert count(app, ImportRun) == 0


def test_a_request_over_the_servers_own_limit_gets_the_upload_page_with_the_limit(app, signed_in):
    client, _ = signed_in("coordinator")
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = upload(client, csv_bytes() + b"x" * 8192)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "larger than the limit of 5 MB" in page and 'type="file"' in page
    assert count(app, ImportRun) == 0


def test_a_sheet_with_no_known_header_asks_for_the_columns_and_keeps_the_choices(app, signed_in):
    client, _ = signed_in("coordinator")
    response = upload(client, b"Col A;Col B;Col C\nx;y;z\n")
    columns_url = response.headers["Location"]
    page = client.get(columns_url).get_data(as_text=True)
    assert set(chosen_columns(page).values()) == {""}
    response = client.post(columns_url, data={"csrf_token": csrf_from(page)})
    assert response.status_code == 400 and "Choose the fact of at least one column." in response.get_data(as_text=True)
    typed = {"csrf_token": csrf_from(page), "column_0": "city", "column_1": "city", "column_2": "narrative"}
    response = client.post(columns_url, data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Another column already holds this fact." in page
    assert chosen_columns(page) == {"column_0": "city", "column_1": "city", "column_2": "narrative"}


def test_an_abandoned_import_loses_its_file(app, signed_in):
    client, _ = signed_in("coordinator")
    check_url = walk_to_check(client, csv_bytes(), values={"value_0": "deserted"})
    run_id = check_url.split("/")[2]
    token = csrf_from(client.get(check_url).get_data(as_text=True))
    assert client.post(f"/imports/{run_id}/abandon", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        run = db.session.get(ImportRun, run_id)
        assert run.state == "abandoned" and run.wrapped_key is None
    assert client.get(check_url).status_code == 404


def test_an_import_stopped_half_way_is_resumed_from_its_page(app, signed_in, monkeypatch):
    from casework.imports import importing

    client, _ = signed_in("coordinator")
    check_url = walk_to_check(client, csv_bytes(), values={"value_0": "deserted"})
    page = client.get(check_url).get_data(as_text=True)
    progress_url = client.post(check_url, data={"csrf_token": csrf_from(page), "source": "x", "vouch": "y"}).headers["Location"]
    real, calls = importing.create_case, {"n": 0}

    def failing_after_two(data, actor, **options):
        calls["n"] += 1
        if calls["n"] > 2:
            raise RuntimeError("the worker was stopped")
        return real(data, actor, **options)

    monkeypatch.setattr(importing, "create_case", failing_after_two)
    monkeypatch.setattr(importing, "BATCH", 1)
    with app.app_context():
        jobs.run_queued()
    page = client.get(progress_url).get_data(as_text=True)
    assert "The import stopped before the end." in page and count(app, Case) == 2
    monkeypatch.setattr(importing, "create_case", real)
    response = client.post(progress_url + "/resume", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    with app.app_context():
        jobs.run_queued()
    assert "The import is finished" in client.get(progress_url).get_data(as_text=True)
    assert count(app, Case) == 6 and count(app, ImportRow) == len(ROWS)
    assert client.post(progress_url + "/resume", data={"csrf_token": csrf_from(page)}).status_code == 404


def test_the_dry_run_of_a_long_sheet_is_shown_a_page_at_a_time(app, signed_in):
    client, _ = signed_in("coordinator")
    consonants = "bdfglmnprtvz"  # not digits: the name skeleton drops them, and all would be one person
    surnames = [f"Dlinn{consonants[n // 12]}o{consonants[n % 12]}" for n in range(140)]
    assert len({normalise.name_skeleton(surname) for surname in surnames}) == 140
    rows = [
        ["", "", surname, "Anna", "01.01.1990", "ж", f"+79261114{n:03d}", "never served", "Грузия", ""]
        for n, surname in enumerate(surnames)
    ]
    rows[120][4] = "32.13.1990"  # row 122 of the sheet
    check_url = walk_to_check(client, csv_bytes(rows=rows), "long.csv")
    first = client.get(check_url).get_data(as_text=True)
    assert "Page 1 of 2" in first and ">2<" in first and ">101<" in first and ">102<" not in first
    assert f'href="{check_url}?page=2">Next</a>' in first
    assert "queued as a possible duplicate" not in first
    second = client.get(check_url + "?page=2").get_data(as_text=True)
    assert ">102<" in second and ">141<" in second and "This date could not be read" in second
    attention = client.get(check_url + "?show=attention").get_data(as_text=True)
    assert ">122<" in attention and ">2<" not in attention and "Page 1 of" not in attention


def test_a_changed_mapping_asks_for_a_new_check(app, signed_in):
    client, _ = signed_in("coordinator")
    check_url = walk_to_check(client, csv_bytes(), values={"value_0": "deserted"})
    columns_url = check_url.replace("/check", "/columns")
    page = client.get(columns_url).get_data(as_text=True)
    chosen = chosen_columns(page) | {"column_9": ""}
    response = client.post(columns_url, data={"csrf_token": csrf_from(page), **chosen})
    assert response.headers["Location"].endswith("/check")
    page = client.get(check_url).get_data(as_text=True)
    assert "being checked" in page and "Import the rows" not in page
    with app.app_context():
        assert jobs.run_queued() == 1
    assert "Import the rows" in client.get(check_url).get_data(as_text=True)


def test_the_report_made_in_the_background_is_in_the_language_it_was_asked_in(app, signed_in):
    client, _ = signed_in("coordinator")
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/language", data={"csrf_token": token, "locale": "ru", "next": "/"})
    page = client.get(walk_to_check(client, csv_bytes(), values={"value_0": "deserted"})).get_data(as_text=True)
    assert "Дата рождения:" in page and "Date of birth:" not in page
