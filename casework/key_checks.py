"""Does this key file belong to this database? Checked before any key is used to read or write.

Every key version that rows use must be in the key file and must be the very key those rows were
written with: its HMAC of a fixed label must equal the check value recorded in `key_checks`. A
version used by rows from before check values existed is proven against the data instead (a data key
unwraps, an audit row's link fits, a blind index matches) and then recorded. Without this, a wrong
key file let the app start, fail every read and save new people under keys that were then lost.
"""

from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, has_app_context
from sqlalchemy import create_engine, func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from casework.config import ConfigError
from casework.crypto import DecryptionError, check_value, same_digest, unwrap_data_key
from casework.keyring import RING_NAMES, RINGS, Keys
from casework.models import AuditEvent, BlindIndex, KeyCheck, Person, PersonKey
from casework.models.imports import ImportRun

#: The columns that say which version of each ring a row was written with: the key-encryption key
#: wraps both the people's data keys and the keys of imports still waiting for their coordinator.
VERSION_COLUMNS = {
    "kek": (PersonKey.kek_version, ImportRun.kek_version),
    "index": (BlindIndex.key_version,),
    "audit": (AuditEvent.key_version,),
}

MATCHES, NEW, ADOPTED, UNRECORDED, RETIRED = "matches", "new", "proven", "unrecorded", "unused"
MISSING, DIFFERENT, EXCHANGED, UNPROVEN = "MISSING", "DIFFERENT KEY", "EXCHANGED", "DOES NOT FIT THE DATA"
PROBLEMS = {MISSING, DIFFERENT, EXCHANGED, UNPROVEN}


def fingerprint(value: bytes) -> str:
    """The first 8 hex digits of a check value: enough to tell key-file backups apart by eye."""
    return value[:4].hex()


@dataclass
class VersionState:
    ring: str
    version: int
    rows: int
    in_file: bool
    check: KeyCheck | None
    state: str
    #: For EXCHANGED: the ring and version of the database this key really is.
    really: tuple[str, int] | None = None

    @property
    def problem(self) -> bool:
        return self.state in PROBLEMS

    def describe(self) -> str:
        """One line naming ring and version, and what is needed; never any key material."""
        name = f"{RING_NAMES[self.ring]} version {self.version}"
        recorded = (
            f"check value {fingerprint(self.check.value)}, recorded {self.check.recorded_at:%Y-%m-%d}" if self.check else ""
        )
        if self.state == MISSING:
            needed = f" ({recorded})" if self.check else ""
            return f"{name} is used by {self.rows} rows but is not in the key file: this database needs that key{needed}."
        if self.state == EXCHANGED:
            ring, version = self.really
            return f"{name} in the key file is this database's {RING_NAMES[ring]} version {version}: the key file's rings are exchanged."
        if self.state == DIFFERENT:
            return f"{name} in the key file is not the key this database was written with ({recorded})."
        if self.state == UNPROVEN:
            return f"{name} in the key file does not decrypt or match the rows written with it."
        return f"{name}: {self.state}"


@dataclass
class Report:
    states: list[VersionState]

    @property
    def problems(self) -> list[VersionState]:
        return [state for state in self.states if state.problem]

    def of_ring(self, ring: str) -> list[VersionState]:
        return [state for state in self.states if state.ring == ring]

    def refusal(self) -> ConfigError:
        return ConfigError(
            f"Wrong key file: {self.problems[0].describe()} Nothing was changed; "
            "restore the right key file (`flask --app casework keys status` lists what is needed)."
        )


def recorded_check(session: Session, ring: str, version: int) -> KeyCheck | None:
    return session.scalar(select(KeyCheck).where(KeyCheck.ring == ring, KeyCheck.version == version))


def versions_in_use(session: Session) -> dict[str, dict[int, int]]:
    """For each ring, how many rows use each version (an import that was shredded uses none)."""
    in_use = {}
    for ring, columns in VERSION_COLUMNS.items():
        counts = Counter()
        for column in columns:
            counts.update(dict(session.execute(select(column, func.count()).where(column.is_not(None)).group_by(column)).all()))
        in_use[ring] = dict(counts)
    return in_use


def _proven(session: Session, ring: str, version: int, key: bytes) -> bool:
    """Whether rows written before check values existed were written with `key` (one row is proof)."""
    try:
        if ring == "kek":
            return _wrapped_key_fits(session, version, key)
        if ring == "audit":
            return _audit_row_fits(session, version, key)
        return _index_row_fits(session, version, key)
    except (DecryptionError, ConfigError):
        return False


def _wrapped_key_fits(session: Session, version: int, key: bytes) -> bool:
    """A person's data key, or else a pending import's key, unwraps under `key` (raises if not)."""
    person_key = session.scalar(select(PersonKey).where(PersonKey.kek_version == version).limit(1))
    if person_key is not None:
        unwrap_data_key(key, version, person_key.wrapped, person_key.person_id)
    else:
        run = session.scalar(select(ImportRun).where(ImportRun.kek_version == version).limit(1))
        unwrap_data_key(key, version, run.wrapped_key, run.id)
    return True


def _audit_row_fits(session: Session, version: int, key: bytes) -> bool:
    from casework.audit import link

    event = session.scalar(select(AuditEvent).where(AuditEvent.key_version == version).order_by(AuditEvent.seq).limit(1))
    previous = b"" if event.seq == 1 else session.scalar(select(AuditEvent.digest).where(AuditEvent.seq == event.seq - 1))
    return previous is not None and same_digest(link(key, previous, event), event.digest)


def _index_row_fits(session: Session, version: int, key: bytes) -> bool:
    from casework.people.indexing import digest, index_values

    row = session.scalar(select(BlindIndex).where(BlindIndex.key_version == version).limit(1))
    values = index_values(session.get(Person, row.person_id)).get(row.name, set())
    return any(same_digest(digest(key, row.name, value), row.digest) for value in values)


def _state(session, ring, version, rows, key, check, checks, prove) -> VersionState:
    state = VersionState(ring, version, rows, key is not None, check, MATCHES)
    if key is None:
        state.state = MISSING if rows else RETIRED
    elif check is not None and not same_digest(check_value(key), check.value):
        value = check_value(key)
        state.really = next(((r, v) for (r, v), other in checks.items() if r != ring and same_digest(other.value, value)), None)
        state.state = EXCHANGED if state.really else DIFFERENT
    elif check is None and not rows:
        state.state = NEW
    elif check is None:
        state.state = (ADOPTED if _proven(session, ring, version, key) else UNPROVEN) if prove else UNRECORDED
    return state


def check_keys(session: Session, keys: Keys, *, prove: bool = True) -> Report:
    """Compare every version in use, in the key file or on record with the database; writes nothing.

    With `prove`, versions used by rows but never recorded are tried against those rows (slower).
    """
    checks = {(check.ring, check.version): check for check in session.scalars(select(KeyCheck))}
    in_use = versions_in_use(session)
    states = []
    for ring in RINGS:
        held = getattr(keys, ring).keys
        recorded = {version for r, version in checks if r == ring}
        for version in sorted(set(held) | set(in_use[ring]) | recorded):
            rows = in_use[ring].get(version, 0)
            states.append(_state(session, ring, version, rows, held.get(version), checks.get((ring, version)), checks, prove))
    return Report(states)


def record_new_checks(session: Session, keys: Keys, report: Report) -> int:
    """Record check values for the versions the report found new or proven; returns how many."""
    added = [state for state in report.states if state.state in (NEW, ADOPTED)]
    for state in added:
        session.add(
            KeyCheck(ring=state.ring, version=state.version, value=check_value(getattr(keys, state.ring).keys[state.version]))
        )
    return len(added)


def require_sound(session: Session, keys: Keys, *, prove: bool = True) -> Report:
    """Check, and raise `ConfigError` naming the first wrong ring and version; record what is new."""
    report = check_keys(session, keys, prove=prove)
    if report.problems:
        raise report.refusal()
    record_new_checks(session, keys, report)
    return report


#: Set by the key commands before their app is made: they check the keys themselves, and report a
#: wrong key file in one line (or, for `keys status`, say what it needs) instead of failing to start.
_deferred: ContextVar[bool] = ContextVar("casework_key_check_deferred", default=False)


@contextmanager
def start_up_check_deferred():
    """Apps made within do not check the keys at start-up (their caller does)."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def init_key_checks(app: Flask) -> None:
    """Refuse to start with a key file that does not fit the database; re-check whenever it changes."""
    if app.config.get("CASEWORK_DEFER_KEY_CHECK") or _deferred.get():
        return
    store = app.extensions["casework_keys"]
    if check_at_start(app, store.keys()):
        store.accept()
    store.verifier = check_on_change


def _nothing_to_check(url) -> bool:
    """A SQLite database that does not exist yet (before `flask db upgrade`) has no rows to check."""
    return url.get_backend_name() == "sqlite" and (url.database in (None, "", ":memory:") or not Path(url.database).exists())


def check_at_start(app: Flask, keys: Keys) -> bool:
    """Check the key file against the database, recording check values of new versions.

    Returns False if there is no database or no table yet (`flask db upgrade` on an empty database
    must start), or if the database cannot be reached: the keys are then checked at their first use.
    """
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if _nothing_to_check(url):
        return False
    engine = create_engine(url, poolclass=NullPool)
    try:
        with Session(engine) as session, app.app_context():
            if not inspect(session.connection()).has_table(KeyCheck.__tablename__):
                return False
            require_sound(session, keys)
            session.commit()
        return True
    except (OperationalError, ProgrammingError):
        # No database to reach, or a schema behind the code (SQLite says the first, PostgreSQL the
        # second): `flask db upgrade` must be able to start; the keys are checked at the next start.
        return False
    finally:
        engine.dispose()


def check_on_change(keys: Keys) -> bool:
    """Check keys first used, or changed on disk, while the app runs; reads only."""
    from casework.extensions import db

    if not has_app_context():
        return False
    with Session(db.engine) as session:
        if not inspect(session.connection()).has_table(KeyCheck.__tablename__):
            return False
        report = check_keys(session, keys, prove=False)
    if report.problems:
        raise report.refusal()
    return True
