"""Dates on pages come from casework.i18n.format_date, which looks the language and the pattern up once
a request: it must print exactly what Flask-Babel's `dateformat` printed, in every language, and a
time as the day it was in the foundation's zone."""

from datetime import UTC, date, datetime

import flask_babel
import pytest
from babel import dates
from sqlalchemy import update

from casework.extensions import db
from casework.i18n import format_date, format_datetime
from casework.models import Case
from tests.conftest import csrf

MOMENTS = [
    date(2026, 12, 4),
    date(2027, 1, 31),
    datetime(2026, 3, 28, 23, 30),  # UTC; already the 29th in Amsterdam (UTC+1)
    datetime(2026, 10, 24, 22, 30),  # UTC; already the 25th in Amsterdam (UTC+2, summer time)
    datetime(2026, 6, 1, 12, 0),
]


@pytest.mark.parametrize("lang", ["en", "nl", "ru", "uk"])
def test_the_same_text_as_flask_babel_in_every_language(app, lang):
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        for moment in MOMENTS:
            assert format_date(moment) == flask_babel.format_date(moment)
            assert format_date(moment, "long") == flask_babel.format_date(moment, "long")


def test_each_language_of_one_context_gets_its_own_pattern(app):
    """The command-line digests format dates for one reader after another in one app context."""
    with app.app_context():
        shown = {}
        for lang in ("ru", "nl", "ru"):
            with flask_babel.force_locale(lang):
                shown.setdefault(lang, set()).add(format_date(date(2026, 12, 4)))
        assert shown == {lang: {dates.format_date(date(2026, 12, 4), "medium", locale=lang)} for lang in ("ru", "nl")}
        assert shown["ru"] != shown["nl"]


def test_a_time_is_the_day_it_was_in_amsterdam(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert format_date(datetime(2026, 3, 28, 23, 30)) == "Mar 29, 2026"
        assert format_date(datetime(2026, 3, 28, 22, 30)) == "Mar 28, 2026"


def test_the_case_list_shows_the_opened_day_in_the_readers_language(app, signed_in, create_case):
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator)
    with app.app_context():
        db.session.execute(update(Case).where(Case.id == case_id).values(created_at=datetime(2026, 12, 31, 23, 30)))
        db.session.commit()
    english = client.get("/cases/?status=all").get_data(as_text=True)
    assert "Jan 1, 2027" in english
    with app.test_request_context("/", headers={"Accept-Language": "ru"}):
        in_russian = flask_babel.format_date(date(2027, 1, 1))
    client.post("/language", data={"locale": "ru", "next": "/cases/", "csrf_token": csrf(client, "/cases/")})
    assert in_russian in client.get("/cases/?status=all").get_data(as_text=True)


TIMES = [
    datetime(2026, 3, 29, 0, 59),  # UTC; 01:59 in Amsterdam, the last minute of winter time
    datetime(2026, 3, 29, 1, 0),  # UTC; 03:00 in Amsterdam, the first minute of summer time
    datetime(2026, 10, 25, 0, 30),  # UTC; 02:30 summer time, the first of the two 02:30s
    datetime(2026, 10, 25, 1, 30),  # UTC; 02:30 winter time, the second
    datetime(2026, 12, 31, 23, 30),  # UTC; already 2027 in Amsterdam
    datetime(2026, 6, 1, 12, 0, tzinfo=UTC),  # aware, as PostgreSQL returns it
]


@pytest.mark.parametrize("lang", ["en", "nl", "ru", "uk"])
def test_a_time_reads_as_flask_babel_prints_it_in_every_language(app, lang):
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        for moment in TIMES:
            for named in ("short", "medium", "long", "full"):
                assert format_datetime(moment, named) == flask_babel.format_datetime(moment, named), (moment, named)
            assert format_datetime(moment) == flask_babel.format_datetime(moment)


def test_a_time_is_the_hour_it_was_in_amsterdam(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert format_datetime(datetime(2026, 12, 31, 23, 30), "short") == "1/1/27, 12:30\u202fAM"
        assert format_datetime(datetime(2026, 7, 1, 10, 0), "short") == "7/1/26, 12:00\u202fPM"


def test_templates_format_times_with_it(app):
    assert app.jinja_env.filters["datetimeformat"] is format_datetime
