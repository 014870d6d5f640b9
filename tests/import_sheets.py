"""Spreadsheets for the import tests, in both formats from the same rows: the documented sample
(docs/samples/import-sample.csv) and a harder sheet with Cyrillic names, dates of every kind (a
broken one among them), an unknown coded value, a person already recorded and one repeated.

`.venv/bin/python -m tests.import_sheets` writes docs/samples/import-sample.xlsx from the CSV sample
(its dates as date cells); tests/test_import_sheets.py fails when the two differ."""

import csv
import io
from datetime import date, datetime

from openpyxl import Workbook, load_workbook

from casework.config import PROJECT_ROOT

SAMPLE_CSV = PROJECT_ROOT / "docs" / "samples" / "import-sample.csv"
SAMPLE_XLSX = SAMPLE_CSV.with_suffix(".xlsx")
SAMPLE_COLUMNS = [
    "surname_latin",
    "given_names_latin",
    "surname_cyrillic",
    "given_names_cyrillic",
    "date_of_birth",
    "sex",
    "phone",
    "telegram",
    "location",
    "military_situation",
    "dutch_status",
    "permit_expires_on",
    "needs",
    "narrative",
]
#: The sample's people by their Latin surnames; Obraztsov's date of birth (31 February) cannot exist.
SAMPLE_CREATED = ["Demonstrov", "Primerova", "Testovsky", "Demonstrov"]

HEADERS = ["Фамилия", "Имя", "Surname", "Given names", "Дата рождения", "Пол", "Телефон", "Военный статус", "Где сейчас", "Нужды"]
#: Cells as a spreadsheet program keeps them: dates as datetime cells, an Excel serial, text.
ROWS = [
    ["Маркеров", "Андрей", "Markerov", "Andrei", datetime(1993, 4, 5), "м", "+79261110001", "мобилизован", "Грузия", "юрист"],
    ["Шифрова", "Елена", "Shifrova", "Elena", "21.07.1991", "ж", "+79261110002", "never served", "Нидерланды", "жилье; деньги"],
    ["Сверкин", "Олег", "Sverkin", "Oleg", 33604, "M", "+79261110003", "mob.", "Kazakhstan", "legal advice"],
    ["Битый", "Пётр", "Bityi", "Pyotr", "31.02.1990", "м", "+79261110004", "reservist", "Россия", ""],
    ["Незнаев", "Иван", "Neznaev", "Ivan", "1990-01-15", "м", "+79261110005", "в бегах", "Турция", ""],
    ["Маркеров", "Андрей", "Markerov", "Andrei", "05.04.1993", "м", "+79261110001", "mobilised", "Georgia", ""],
    ["Sokolov", "Dmitri", "Sokolov", "Dmitri", "03.02.1994", "M", "+79161234567", "reservist", "Netherlands", ""],
]
#: Row numbers as the spreadsheet shows them (the header is row 1).
BROKEN_DATE_ROW, UNKNOWN_VALUE_ROW, REPEATED_ROW, KNOWN_PERSON_ROW = 5, 6, 7, 8
IMPORTED_NAMES = ["Маркеров", "Шифрова", "Сверкин", "Markerov", "Shifrova", "Sverkin", "Андрей", "Елена"]


def csv_bytes(headers=HEADERS, rows=ROWS, delimiter=";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([cell.strftime("%d.%m.%Y") if isinstance(cell, date) else cell for cell in row])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(headers=HEADERS, rows=ROWS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def sample_rows() -> tuple[list[str], list[list[str]]]:
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as handle:
        headers, *rows = list(csv.reader(handle))
    return headers, rows


def sample_xlsx() -> bytes:
    """The sample as a workbook, its dates as real date cells, as a spreadsheet program saves them."""
    headers, rows = sample_rows()
    typed = [[_as_date(cell) for cell in row] for row in rows]
    return xlsx_bytes(headers, typed)


def _as_date(cell: str):
    try:
        return datetime.strptime(cell, "%d.%m.%Y")
    except ValueError:
        return cell


def read_back(content: bytes) -> list[tuple]:
    return [tuple(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


if __name__ == "__main__":
    SAMPLE_XLSX.write_bytes(sample_xlsx())
    print(f"wrote {SAMPLE_XLSX.relative_to(PROJECT_ROOT)}")
