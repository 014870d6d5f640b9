"""Languages: English, Dutch, Russian and Ukrainian, chosen per user, then per browser."""

from datetime import UTC, date, datetime

from babel import dates
from flask import Flask, g, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import gettext as _  # noqa: F401  (re-exported for the rest of the package)
from flask_babel import lazy_gettext as _l  # noqa: F401
from flask_babel import lazy_pgettext as _lp  # noqa: F401  (a word whose translation depends on what it describes)
from flask_login import current_user
from sqlalchemy import inspect

from casework.clock import FOUNDATION_ZONE
from casework.config import LOCALES, PROJECT_ROOT
from casework.extensions import babel

#: Each language named in itself, so that anyone can find theirs whatever language the page is in.
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands", "ru": "Русский", "uk": "Українська"}

#: The home page's greeting, a whole sentence per role (a role name put into a sentence cannot take
#: the vocative some languages need).
WELCOME = {
    "volunteer": _l("Welcome, Volunteer"),
    "coordinator": _l("Welcome, Coordinator"),
    "advocate": _l("Welcome, Advocate"),
    "admin": _l("Welcome, Administrator"),
}

ROLE_LABELS = {
    "volunteer": _l("Volunteer"),
    "coordinator": _l("Coordinator"),
    "advocate": _l("Advocate"),
    "admin": _l("Administrator"),
}

JOB_LABELS = {
    "reevaluate": _l("Re-evaluation of open cases"),
    "retention": _l("Retention run"),
    "import": _l("Spreadsheet import"),
    "import_check": _l("Spreadsheet import: dry run"),
}

JOB_STATE_LABELS = {
    # Translators: a background job waits in line to be run.
    "queued": _l("queued"),
    "running": _l("running"),
    "done": _l("done"),
    "failed": _l("failed"),
}

#: Misuse flags in the audit trail, as coordinators read them.
FLAG_LABELS = {
    "read_budget_exceeded": _l("Read more case data in an hour than the budget allows"),
    "duplicate_hits_flagged": _l("Logged intakes that matched known people far more often than colleagues"),
    "exports_limited": _l("Asked for more access exports in a day than allowed"),
}


def select_locale() -> str:
    """The signed-in user's saved choice, then this browser session's choice, then Accept-Language."""
    if not has_request_context():
        return "en"
    if g.get("request_failed"):
        return _locale_without_database()
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    if session.get("locale") in LOCALES:
        return session["locale"]
    return request.accept_languages.best_match(LOCALES) or "en"


def _locale_without_database() -> str:
    """For the page of a failed request, whose database or session store may be what failed: the
    account's choice if it was read before the failure, else Accept-Language."""
    state = inspect(g.get("_login_user"), raiseerr=False)
    saved = state.attrs.locale.loaded_value if state is not None else None
    if saved in LOCALES:
        return saved
    return request.accept_languages.best_match(LOCALES) or "en"


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    # Times are stored in UTC and shown in the foundation's zone (casework.clock).
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", str(FOUNDATION_ZONE))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "translations")
    babel.init_app(app, locale_selector=select_locale)
    _install_template_gettext(app)
    app.jinja_env.filters["dateformat"] = format_date
    app.jinja_env.filters["datetimeformat"] = format_datetime
    app.jinja_env.globals.update(LANGUAGE_NAMES=LANGUAGE_NAMES, ROLE_LABELS=ROLE_LABELS, WELCOME=WELCOME, get_locale=get_locale)


def format_date(value: date | datetime, format: str = "medium") -> str:
    """Flask-Babel's `format_date`, with the language and the pattern looked up once a request rather
    than at every date: a page of 25 cases formats 50 dates, and those lookups were most of their cost.
    A time is shown as the day it was in the foundation's zone, as Flask-Babel shows it. `format` is one of
    Babel's named formats (short, medium, long, full)."""
    locale = get_locale()
    pattern = _patterns(locale, format)[2]
    if isinstance(value, datetime):
        value = _in_foundation_zone(value).date()
    return pattern.apply(value, locale)


def format_datetime(value: datetime, format: str = "medium") -> str:
    """Flask-Babel's `format_datetime` in the foundation's zone, its patterns looked up once a request
    as in `format_date`: a case page names each of its 20 latest notes by its time twice (above the
    note and in the form that may correct it), and Babel looks the language's three patterns up at
    every one of them."""
    locale = get_locale()
    frame, time_pattern, date_pattern = _patterns(locale, format)
    local = _in_foundation_zone(value)
    shown_time = time_pattern.apply(local.timetz(), locale, reference_date=local.date())
    return frame.replace("{0}", shown_time).replace("{1}", date_pattern.apply(local.date(), locale))


def _patterns(locale, format: str) -> tuple:
    """(how date and time are joined, the time's pattern, the date's pattern) of one language and one
    named format, kept for the request (or app context) in which they were first needed."""
    patterns = g.setdefault("date_patterns", {})
    found = patterns.get((locale, format))
    if found is None:
        found = patterns[locale, format] = (
            dates.get_datetime_format(format, locale).replace("'", ""),
            dates.get_time_format(format, locale),
            dates.get_date_format(format, locale),
        )
    return found


def _in_foundation_zone(value: datetime) -> datetime:
    """Times are stored in UTC, naive on SQLite; they are shown as they were in the foundation's zone."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(FOUNDATION_ZONE)


def _install_template_gettext(app: Flask) -> None:
    """Templates translate through the domain's catalogue directly (casework/babel_domain.py);
    Flask-Babel's own callables would first look the domain up in the request context again."""

    def catalogue():
        return babel.domain_instance.get_translations()

    app.jinja_env.install_gettext_callables(
        gettext=lambda string: catalogue().ugettext(string),
        ngettext=lambda singular, plural, n: catalogue().ungettext(singular, plural, n),
        pgettext=lambda context, string: catalogue().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: catalogue().unpgettext(context, singular, plural, n),
        newstyle=True,
    )
