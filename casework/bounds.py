"""Bounds on every number and date a client can send, so that no value gives a server error.

A date past year 9999 after adding a deadline's days, a 30-digit page number or account id that no
database integer holds: each would fail deep inside a query or a calculation. Forms refuse such a
value with a message and keep what was typed; a query string's value outside its bounds is treated
as absent, as an unknown filter value is, and the filter form still shows what was asked for.
"""

from datetime import date

from flask import abort, request
from werkzeug.datastructures import MultiDict
from wtforms import ValidationError

from casework.i18n import _l

#: Every date the service records lies in this span; deadlines computed from them stay far from
#: the calendar's end (year 9999), and a year typed with a slip (0202, 20266) is caught.
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
#: The largest id or count a query may carry: a PostgreSQL integer holds it.
LARGEST_ID = 2**31 - 1
#: Further than any list reaches, and small enough for any offset arithmetic.
LARGEST_PAGE = 100_000


def plausible_date(_form, field) -> None:
    """WTForms validator: a date between EARLIEST and LATEST."""
    if field.data and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(
            _l("Enter a date between %(earliest)s and %(latest)s.", earliest=EARLIEST.isoformat(), latest=LATEST.isoformat())
        )


def whole_number(args: MultiDict, name: str, low: int = 1, high: int = LARGEST_ID) -> int | None:
    """The query parameter as a whole number from `low` to `high`, or None."""
    value = args.get(name, type=int)
    return value if value is not None and low <= value <= high else None


def page_number(args: MultiDict) -> int:
    """The list page asked for, from 1 to LARGEST_PAGE; the first page otherwise."""
    return whole_number(args, "page", high=LARGEST_PAGE) or 1


def day(args: MultiDict, name: str) -> date | None:
    """The query parameter as a date (YYYY-MM-DD) between EARLIEST and LATEST, or None."""
    raw = args.get(name, "")
    try:
        value = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None
    return value if value is not None and EARLIEST <= value <= LATEST else None


def _text_values():
    yield from request.args.values()
    for values in request.form.listvalues():
        yield from values
    yield from (value for value in (request.view_args or {}).values() if isinstance(value, str))


def refuse_impossible_values() -> None:
    """Before every request: a NUL character is in no name, number or date anyone types, and
    PostgreSQL refuses it in any string, so a request carrying one is a bad request, not a 500. An
    id in the address larger than any database integer names no record: 404."""
    if any("\x00" in value for value in _text_values()):
        abort(400)
    if any(isinstance(value, int) and not 0 <= value <= LARGEST_ID for value in (request.view_args or {}).values()):
        abort(404)
