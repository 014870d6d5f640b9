"""Logging: levels from the environment, and log lines that never carry values or SQL (S19).

An exception's message can quote personal data (a database error quotes its statement, and the
driver may quote a value), and a traceback shows source lines. So every record that reaches one of
Casework's handlers, whichever library logged it (SQLAlchemy's pool, Flask-Session, gunicorn), keeps
its exception's type and the file and line of the innermost frames, and loses the exception's text
and traceback; a message that quotes SQL loses everything from the SQL on; SQLAlchemy's statement
log, which is nothing but SQL, is never enabled.

`CASEWORK_LOG_LEVEL` (default INFO) sets Casework's level; `CASEWORK_LIBRARY_LOG_LEVEL` (default
WARNING) that of everything else, SQLAlchemy's statement loggers staying at WARNING at least.
"""

import logging
import re
import sys
import time
import traceback
from pathlib import Path

from flask import Flask

from casework.config import PROJECT_ROOT

#: Frames shown for an exception, innermost last.
INNERMOST_FRAMES = 3

#: Where a library's message starts quoting SQL or parameters (SQLAlchemy's "[SQL: ...]", a
#: driver's "LINE 1: SELECT ...", "DETAIL:  Key (email)=(...)").
_QUOTED_SQL = re.compile(r"\s*(\[SQL:|\[parameters:|\bLINE \d+:|\bDETAIL:|\b(SELECT|INSERT|UPDATE|DELETE|WITH)\b\s).*", re.S)

#: Loggers whose records are SQL text by nature; they stay quiet below WARNING.
_SQL_LOGGERS = ("sqlalchemy.engine", "sqlalchemy.orm", "sqlalchemy.pool", "sqlalchemy.dialects")

_FORMAT = "%(asctime)sZ %(levelname)s %(name)s: %(message)s"


def _place(frame: traceback.FrameSummary) -> str:
    path = Path(frame.filename)
    parts = path.parts
    if "site-packages" in parts:
        shown = Path(*parts[parts.index("site-packages") + 1 :])
    elif path.is_relative_to(PROJECT_ROOT):
        shown = path.relative_to(PROJECT_ROOT)
    else:
        shown = Path(path.name)
    return f"{shown}:{frame.lineno} in {frame.name}"


def places(error: BaseException) -> str:
    """The innermost frames of the error's traceback, innermost first, plus the innermost frame of
    Casework's own code (or a test's) when that is further out: enough to find the failure."""
    frames = traceback.extract_tb(error.__traceback__)
    shown = list(frames[-INNERMOST_FRAMES:])
    own = [frame for frame in frames if _is_own(Path(frame.filename))]
    if own and own[-1] not in shown:
        shown.insert(0, own[-1])
    return " < ".join(_place(frame) for frame in reversed(shown))


def _is_own(path: Path) -> bool:
    return path.is_relative_to(PROJECT_ROOT) and "site-packages" not in path.parts


def where(error: BaseException) -> str:
    """The error's type and `places`: what failed and where, without the error's text."""
    return f"{type(error).__name__} at {places(error)}"


def withhold(text: str) -> str:
    """`text` up to where it starts quoting SQL or parameters."""
    return _QUOTED_SQL.sub(" [statement withheld]", text)


class WithholdDetails(logging.Filter):
    """Rewrites each record it sees so that it carries no exception text, traceback or SQL."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(_SQL_LOGGERS) and record.levelno < logging.WARNING:
            return False
        if isinstance(record.args, tuple):
            record.args = tuple(_safe(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _safe(value) for key, value in record.args.items()}
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            message = message.replace(str(error), type(error).__name__) if str(error) else message
        record.msg, record.args = withhold(message), None
        if error is not None:
            record.msg = f"{record.msg} ({where(error)})"
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def _safe(value):
    """An exception passed as a log argument is shown by its type only."""
    return type(value).__name__ if isinstance(value, BaseException) else value


WITHHOLD_DETAILS = WithholdDetails()


def _level(app: Flask, name: str, default: str) -> int:
    value = str(app.config.get(name) or default).upper()
    level = logging.getLevelName(value)
    return level if isinstance(level, int) else logging.INFO


def withhold_details_in_every_handler() -> None:
    """The filter on every handler there is now, whoever set it up: gunicorn's before the app, the
    job worker's own on the "huey" logger after it (casework.worker)."""
    loggers = [
        logging.getLogger(),
        *(each for each in logging.Logger.manager.loggerDict.values() if isinstance(each, logging.Logger)),
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if WITHHOLD_DETAILS not in handler.filters:
                handler.addFilter(WITHHOLD_DETAILS)


def configure_logging(app: Flask) -> None:
    """One handler on the root logger, to standard error (systemd's journal, gunicorn's error log),
    carrying the filter; any handler a server set up before the app (gunicorn's) gets the filter too."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "casework", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.casework = True
    formatter = logging.Formatter(_FORMAT)
    formatter.converter = time.gmtime  # UTC, like every timestamp the database holds
    handler.setFormatter(formatter)
    root.addHandler(handler)
    withhold_details_in_every_handler()
    library_level = _level(app, "CASEWORK_LIBRARY_LOG_LEVEL", "WARNING")
    root.setLevel(library_level)
    app.logger.setLevel(_level(app, "CASEWORK_LOG_LEVEL", "INFO"))
    logging.getLogger("casework").setLevel(app.logger.level)
    for name in _SQL_LOGGERS:
        logging.getLogger(name).setLevel(max(library_level, logging.WARNING))
