"""Reading the foundation's sheets: both formats give the same cells, dates in the forms sheets hold,
coded values in four languages, and files that are not spreadsheets refused."""

from datetime import date, datetime

import pytest

from casework.config import LOCALES
from casework.imports import facts
from casework.imports.sheets import SheetRefused, read_sheet
from tests.import_sheets import HEADERS, ROWS, SAMPLE_XLSX, csv_bytes, read_back, sample_rows, sample_xlsx, xlsx_bytes


def test_csv_and_xlsx_of_the_same_rows_read_alike():
    from_csv, from_xlsx = read_sheet(csv_bytes(), 100), read_sheet(xlsx_bytes(), 100)
    assert from_csv.headers == from_xlsx.headers == tuple(HEADERS)
    assert [row.number for row in from_csv.rows] == [row.number for row in from_xlsx.rows] == list(range(2, 2 + len(ROWS)))
    assert from_xlsx.rows[0].cells[4] == datetime(1993, 4, 5) and from_csv.rows[0].cells[4] == "05.04.1993"
    assert from_csv.rows[0].cells[0] == from_xlsx.rows[0].cells[0] == "Маркеров"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1251", "utf-16"])
def test_csv_in_the_encodings_excel_writes_keeps_cyrillic(encoding):
    text = csv_bytes().decode("utf-8")
    assert read_sheet(text.encode(encoding), 100).rows[0].cells[:2] == ("Маркеров", "Андрей")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_separator_is_the_one_the_header_row_uses(delimiter):
    assert read_sheet(csv_bytes(delimiter=delimiter), 100).headers == tuple(HEADERS)


def test_rows_keep_the_numbers_the_spreadsheet_shows_and_blank_rows_are_skipped():
    sheet = read_sheet(b"A;B\n\nx;y\n;\nz;w\n", 100)
    assert [(row.number, row.cells) for row in sheet.rows] == [(3, ("x", "y")), (5, ("z", "w"))]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00", "neither an XLSX workbook nor a CSV file"),
        (b"PK\x03\x04garbage", "neither an XLSX workbook nor a CSV file"),
        (b"Only one column\nx\n", "every name once"),
        (b"A;B\n", "no rows below it"),
    ],
)
def test_what_is_not_an_importable_sheet_is_refused(content, message):
    with pytest.raises(SheetRefused, match=message):
        read_sheet(content, 100)


def test_a_sheet_with_too_many_rows_is_refused():
    with pytest.raises(SheetRefused, match="more than 5 rows"):
        read_sheet(b"A;B\n" + b"x;y\n" * 6, 5)
    assert len(read_sheet(b"A;B\n" + b"x;y\n" * 5, 5).rows) == 5


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("12.03.1994", date(1994, 3, 12)),
        ("12.03.1994 г.", date(1994, 3, 12)),
        ("1994-03-12", date(1994, 3, 12)),
        ("1994-03-12 00:00:00", date(1994, 3, 12)),
        ("12/03/1994", date(1994, 3, 12)),
        ("12-03-1994", date(1994, 3, 12)),
        (34405, date(1994, 3, 12)),
        (34405.0, date(1994, 3, 12)),
        ("34405", date(1994, 3, 12)),
        (datetime(1994, 3, 12, 0, 0), date(1994, 3, 12)),
        (date(1994, 3, 12), date(1994, 3, 12)),
        ("31.02.1994", None),
        ("весной 1994", None),
        ("1994", None),
    ],
)
def test_dates_in_the_forms_sheets_hold(cell, day):
    assert facts.read_date(cell) == day


@pytest.mark.parametrize(
    "spelling", ["мобилизован", "Мобилизован", "mobilised", "mobilized", "mob.", "Mob", "мобілізований", "gemobiliseerd"]
)
def test_spellings_of_mobilised_in_four_languages_mean_the_same_choice(app, spelling):
    with app.app_context():
        assert facts.value_table("military_situation")[facts.normal(spelling)] == "mobilised"


def test_every_choice_of_every_coded_fact_is_understood_in_every_language(app):
    """Its code, and its label as each language shows it, lead back to it; and it has spellings of
    its own beyond the code (built-in synonyms)."""
    from flask_babel import force_locale

    with app.app_context():
        for fact, options in facts.CODED.items():
            table = facts.value_table(fact)
            for code, label in options:
                assert table[facts.normal(code)] == code, (fact, code)
                for locale in LOCALES:
                    with force_locale(locale):
                        assert table[facts.normal(str(label))] == code, (fact, code, locale)
                assert facts.SYNONYMS[fact].get(code), f"no spellings for {fact}={code}"


def test_the_committed_workbook_holds_the_rows_of_the_csv_sample():
    """docs/samples/import-sample.xlsx is made from the CSV (`python -m tests.import_sheets`): same
    cells, its dates as date cells. Remake it when the CSV changes."""
    headers, rows = sample_rows()
    assert all("DEMO" in row[-1] for row in rows)
    assert read_back(SAMPLE_XLSX.read_bytes()) == read_back(sample_xlsx())
    back = read_back(SAMPLE_XLSX.read_bytes())
    assert back[0] == tuple(headers) and len(back) == len(rows) + 1
    assert back[1][4] == datetime(1994, 3, 12) and back[1][0] == rows[0][0]
