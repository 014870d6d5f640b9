"""Reading a spreadsheet: XLSX with openpyxl, CSV with the standard library's csv module.

The format is told from the content, not the name: an XLSX file is a ZIP archive, anything else is
tried as text (UTF-8, UTF-16 with its byte-order mark, or the Windows Cyrillic code page that Russian
Excel writes CSV in) with the separator (comma, semicolon or tab) that the header row uses. Rows are numbered as
the spreadsheet program shows them (the header is row 1), so a report's "row 7" is found at once.
"""

import csv
import io
import zipfile
from dataclasses import dataclass

from casework.i18n import _l

ZIP_SIGNATURE = b"PK\x03\x04"
DELIMITERS = ",;\t"
NEITHER = _l("This file is neither an XLSX workbook nor a CSV file. Save it as one of them from your spreadsheet program.")


class SheetRefused(ValueError):
    """The file cannot be imported as it is; the message is translated and safe to show."""


@dataclass(frozen=True)
class Row:
    number: int
    cells: tuple


@dataclass(frozen=True)
class Sheet:
    headers: tuple[str, ...]
    rows: tuple[Row, ...]


def _text(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1251", errors="strict")


def _csv_rows(content: bytes) -> list[tuple]:
    try:
        text = _text(content)
    except UnicodeDecodeError:
        raise SheetRefused(NEITHER) from None
    if any(ord(character) < 32 and character not in "\t\r\n" for character in text[:65536]):
        raise SheetRefused(NEITHER)  # binary: a PDF, an old .xls, an image
    # The header row names every column, so the separator it uses most is the file's. (csv.Sniffer
    # guesses from quoting and spacing too, and is thrown by a Cyrillic header row.)
    header = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=header.count)
    try:
        return [tuple(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error:
        raise SheetRefused(_l("This CSV file is damaged: a quoted cell is never closed.")) from None


def _xlsx_rows(content: bytes, max_rows: int) -> list[tuple]:
    # openpyxl is imported here, by the first spreadsheet, not with the app (0.2 s of each web
    # worker's start-up, for the one page that reads spreadsheets).
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise SheetRefused(NEITHER) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(tuple(row))
            if len(rows) > max_rows + 1:
                break
        return rows
    finally:
        workbook.close()


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def read_sheet(content: bytes, max_rows: int) -> Sheet:
    """The first sheet's header row and its non-empty rows, or `SheetRefused` saying what is wrong."""
    if not content.strip():
        raise SheetRefused(_l("The file is empty."))
    raw = _xlsx_rows(content, max_rows) if content.startswith(ZIP_SIGNATURE) else _csv_rows(content)
    numbered = [(number, cells) for number, cells in enumerate(raw, start=1) if not all(_blank(c) for c in cells)]
    if not numbered:
        raise SheetRefused(_l("The file is empty."))
    header_number, header_cells = numbered[0]
    headers = tuple("" if _blank(cell) else str(cell).strip() for cell in header_cells)
    while headers and not headers[-1]:
        headers = headers[:-1]
    named = [header for header in headers if header]
    if len(named) < 2 or len(set(named)) != len(named):
        raise SheetRefused(_l("The first row must name each column, every name once (at least two columns)."))
    rows = tuple(
        Row(number, tuple(cells[: len(headers)]) + (None,) * (len(headers) - len(cells))) for number, cells in numbered[1:]
    )
    if not rows:
        raise SheetRefused(_l("The file has a header row but no rows below it."))
    if len(rows) > max_rows:
        raise SheetRefused(_l("The file has more than %(rows)d rows: split it into smaller files.", rows=max_rows))
    return Sheet(headers=headers, rows=rows)
