"""Statistics: the time to compute one full release over N synthetic cases, on SQLite and PostgreSQL.

A release is what `flask stats release --period 2026Q3` does: `operations.request_release` and
`operations.publish` for a closed quarter (the budget reserved, each person's first case read once
in SQL, who counts decided (one human, one contribution) and the six tables of the catalogue
tallied from those rows, the quarter fixed for every person counted, noise, reconciliation, the
frozen content stored), then one commit, in an app context.

At each size N, on a fresh database (SQLite: a file in a temporary folder; PostgreSQL: a throw-away
database on the local server, dropped afterwards, skipped with a line if the server is unreachable):
  1. the schema by `db.create_all()`, the four roles, one admin account;
  2. N synthetic cases by SQLAlchemy Core bulk inserts (executemany, 50,000 rows a chunk), no ORM
     and no encryption: persons with only coded columns, about 10% of them with 2 or 3 cases (so
     the first-case ranking matters), cases created over 2025-2026 with coded age band and
     location, and proposal tags for 40% of the cases. On PostgreSQL the tables are then analysed,
     as autovacuum would soon do after such a load; SQLite is left as the app leaves it (no ANALYZE);
  3. one release of the period, timed; the time spent in SQL statements is timed too, by cursor
     events, to show where the release goes.

Aim: a release under 2 s at 1,000,000 cases, growing no faster than the data.
"""

import json
import random
import sqlite3
import tempfile
import threading
import time
import uuid
import warnings
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SAWarning

from benchmarks.report import say
from casework import clock, create_app
from casework.choices import LOCATIONS, STATUSES
from casework.extensions import db
from casework.keyring import generate_keys, write_key_file
from casework.models import ROLE_NAMES, Case, CaseTag, Person, Role, User
from casework.rules.engine import COVERAGE, built_in_baseline, rules
from casework.stats import operations
from casework.stats.catalogue import AGE_BANDS, period_bounds

PERIOD = "2026Q3"
AIM_SECONDS = 2.0
#: A release still running after this long is stopped: at 1,000,000 cases it may otherwise run for hours.
LIMIT_SECONDS = 300.0
CHUNK = 50_000
PROGRESS_ROWS = 250_000
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SECRET_KEY = "benchmark-secret-key-long-enough-0123456789abcdef"
ADMIN = "admin@bench.casework.example"

#: Cases are opened over these two years; a person's later cases follow the first within 270 days.
FIRST_DAY = datetime(2025, 1, 1)
SPAN_SECONDS = (datetime(2027, 1, 1) - FIRST_DAY).total_seconds()
LATER_SECONDS = 270 * 86_400
REPEAT_SHARE = 0.10
TAGGED_SHARE = 0.40

SEX_CODES = ("M", "F", "X", None)
SEX_WEIGHTS = (70, 20, 2, 8)
AGE_CODES = (*AGE_BANDS, None)
LOCATION_CODES = (*(code for code, _label in LOCATIONS), None)
STATUS_CODES = tuple(code for code, _label in STATUSES)


# Synthetic data ----------------------------------------------------------------------------------


def row_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def chunks(n: int, actor_id: int, rng: random.Random, start: datetime, end: datetime):
    """(persons, cases, tags, first cases in [start, end)) in chunks of about CHUNK cases, N cases in all."""
    rule_proposals = [(rule.id, rule.proposal) for rule in rules()]
    baseline = built_in_baseline().version
    made = 0
    while made < n:
        persons, cases, tags, in_period = [], [], [], 0
        while len(cases) < CHUNK and made < n:
            person_id = row_id(rng)
            first = FIRST_DAY + timedelta(seconds=rng.random() * SPAN_SECONDS)
            count = min(rng.choice((2, 3)) if rng.random() < REPEAT_SHARE else 1, n - made)
            in_period += start <= first < end
            persons.append(
                {"id": person_id, "dek_version": 1, "created_at": first, "sex": rng.choices(SEX_CODES, SEX_WEIGHTS)[0]}
            )
            opened = first
            for number in range(count):
                if number:
                    opened = opened + timedelta(seconds=1 + rng.random() * LATER_SECONDS)
                case_id = row_id(rng)
                cases.append(
                    {
                        "id": case_id,
                        "person_id": person_id,
                        "status": rng.choice(STATUS_CODES),
                        "created_by_id": actor_id,
                        "created_at": opened,
                        "updated_at": opened,
                        "possible_duplicate": False,
                        "is_demo": True,
                        "version": 1,
                        "age_band": rng.choice(AGE_CODES),
                        "location": rng.choice(LOCATION_CODES),
                    }
                )
                if rng.random() < TAGGED_SHARE:
                    for rule_id, proposal in rng.sample(rule_proposals, rng.randint(1, 3)):
                        holds, coverage = rng.random() < 0.6, rng.choice(COVERAGE)
                        tags.append(
                            {
                                "id": row_id(rng),
                                "case_id": case_id,
                                "rule_id": rule_id,
                                "proposal": proposal,
                                "suggested": holds,
                                "needs": "",
                                "baseline_version": baseline,
                                "evaluated_on": opened.date(),
                                "coverage": coverage,
                                "left_out": holds and coverage == "no",
                                "holds": holds,
                            }
                        )
            made += count
        yield persons, cases, tags, in_period


def fill(engine, n: int, actor_id: int) -> tuple[float, dict]:
    """Insert N cases with their persons and tags; (seconds, row counts)."""
    rng = random.Random(n)
    start, end = (datetime.combine(day, datetime.min.time()) for day in period_bounds(PERIOD))
    totals = {"persons": 0, "cases": 0, "tags": 0, "in_period": 0}
    reported = 0
    started = time.perf_counter()
    for persons, cases, tags, in_period in chunks(n, actor_id, rng, start, end):
        with engine.begin() as connection:
            connection.execute(insert(Person.__table__), persons)
            connection.execute(insert(Case.__table__), cases)
            if tags:
                connection.execute(insert(CaseTag.__table__), tags)
        totals["persons"] += len(persons)
        totals["cases"] += len(cases)
        totals["tags"] += len(tags)
        totals["in_period"] += in_period
        if totals["cases"] - reported >= PROGRESS_ROWS and totals["cases"] < n:
            reported = totals["cases"]
            elapsed = time.perf_counter() - started
            say(f"      ... {totals['cases']:,} of {n:,} cases inserted in {elapsed:5.1f} s")
    return time.perf_counter() - started, totals


# One database ------------------------------------------------------------------------------------


def make_app(url: str, folder: Path):
    settings = {
        "CASEWORK_ENV": "testing",
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": url,
        "CASEWORK_KEY_FILE": str(folder / "keys.json"),
        "CASEWORK_KEYS": None,
        "CASEWORK_DOCUMENT_DIR": str(folder / "documents"),
        "CASEWORK_REDIS_URL": None,
        "SESSION_TYPE": "sqlalchemy",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    with warnings.catch_warnings():
        # Each size makes a new app; Flask-Session then declares its session model again, harmlessly.
        warnings.filterwarnings("ignore", "This declarative base already contains a class", SAWarning)
        return create_app(settings)


def prepare(app) -> int:
    """Schema, the four roles and one admin account (made by Core too: no password is needed)."""
    with app.app_context():
        db.create_all()
        db.session.add_all(Role(name=name) for name in ROLE_NAMES)
        db.session.commit()
        admin_role = db.session.scalar(db.select(Role.id).where(Role.name == "admin"))
        db.session.execute(
            insert(User.__table__).values(
                email=ADMIN,
                fs_uniquifier=uuid.uuid4().hex,
                role_id=admin_role,
                active=True,
                is_demo=True,
                created_at=datetime.now(),
            )
        )
        db.session.commit()
        return db.session.scalar(db.select(User.id).where(User.email == ADMIN))


def release(app, limit: float) -> dict:
    """One release, timed: request + publish + commit. Stopped (the statement interrupted, the
    transaction rolled back) if it runs past `limit` seconds; then "release" is None. The time spent
    in SQL statements is summed by cursor events."""
    statements: list[float] = []
    fired = threading.Event()

    def before(conn, _cursor, _statement, _parameters, _context, _many):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, _cursor, _statement, _parameters, _context, _many):
        statements.append(time.perf_counter() - conn.info.pop("bench_started"))

    with app.app_context():
        engine = db.engine
        actor = db.session.scalar(db.select(User).where(User.email == ADMIN))
        raw = db.session.connection().connection.driver_connection
        stop = raw.interrupt if isinstance(raw, sqlite3.Connection) else raw.cancel
        timer = threading.Timer(limit, lambda: (fired.set(), stop()))
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        started = time.perf_counter()
        timer.start()
        try:
            made = operations.request_release(PERIOD, None)
            operations.publish(made, actor)
            db.session.commit()
            elapsed = time.perf_counter() - started
            shown = json.loads(made.content)["tables"][0]["total"]
        except DBAPIError:
            if not fired.is_set():
                raise
            db.session.rollback()
            elapsed, shown = None, None
        finally:
            timer.cancel()
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
            db.session.remove()
            engine.dispose()
    return {"release": elapsed, "sql": sum(statements), "slowest": max(statements, default=0.0), "shown": shown}


def measure(label: str, url: str, folder: Path, n: int, analyse: bool, limit: float) -> dict:
    app = make_app(url, folder)
    actor_id = prepare(app)
    with app.app_context():
        engine = db.engine
        say(f"    {label} at {n:,} cases: inserting ...")
        inserted, totals = fill(engine, n, actor_id)
        analysed = 0.0
        if analyse:
            began = time.perf_counter()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))
            analysed = time.perf_counter() - began
        engine.dispose()
    extra = f", ANALYZE {analysed:.1f} s" if analyse else ""
    say(
        f"    {label} at {n:,} cases: inserted {totals['persons']:,} persons, {totals['cases']:,} cases, "
        f"{totals['tags']:,} tags in {inserted:.1f} s{extra}; {totals['in_period']:,} persons first seen in {PERIOD}"
    )
    say(f"    {label} at {n:,} cases: releasing {PERIOD} (stopped if not done in {limit:g} s) ...")
    figures = release(app, limit)
    if figures["release"] is None:
        say(f"    {label} at {n:,} cases: release {PERIOD} STOPPED after {limit:g} s (not finished; rolled back)")
    else:
        say(
            f"    {label} at {n:,} cases: release {PERIOD} {figures['release']:8.3f} s   (in SQL {figures['sql']:.3f} s, "
            f"slowest statement {figures['slowest']:.3f} s; published total {figures['shown']})"
        )
    return figures | {"insert": inserted}


# PostgreSQL --------------------------------------------------------------------------------------


def postgres_reachable() -> str | None:
    """None if the server answers, else why not."""
    try:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
        admin.dispose()
    except Exception as problem:  # noqa: BLE001  (any failure means: skip PostgreSQL)
        return f"{type(problem).__name__}: {str(problem).splitlines()[0] if str(problem) else ''}"
    return None


def create_postgres_database() -> str:
    name = f"casework_bench_stats_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


# The run -----------------------------------------------------------------------------------------


def seconds(value: float | None, limit: float) -> str:
    return f"{value:8.3f} s" if value is not None else f"> {limit:g} s (stopped)"


def main(sizes=(100_000, 1_000_000), limit: float = LIMIT_SECONDS) -> None:
    """`limit`: a release still running after this many seconds is stopped and shown as such."""
    began = time.perf_counter()
    if period_bounds(PERIOD)[1] > clock.today():
        say(f"stats: {PERIOD} has not ended yet, so it cannot be released; nothing measured")
        return
    say(f"stats: one release of {PERIOD} (request + publish + commit) over N synthetic cases, a fresh database per size")
    results: dict[str, dict[int, dict]] = {}
    with tempfile.TemporaryDirectory(prefix="casework-bench-stats-") as name:
        folder = Path(name)
        write_key_file(folder / "keys.json", generate_keys(), new=True)
        say(f"  SQLite (a file in {folder}; not analysed)")
        results["SQLite"] = {}
        for n in sizes:
            database = folder / f"stats-{n}.sqlite"
            results["SQLite"][n] = measure("SQLite", f"sqlite:///{database}", folder, n, analyse=False, limit=limit)
            for leftover in folder.glob(f"stats-{n}.sqlite*"):
                leftover.unlink()
        unreachable = postgres_reachable()
        if unreachable:
            say(f"  PostgreSQL skipped: {POSTGRES_URL} is not reachable ({unreachable})")
        else:
            say(
                f"  PostgreSQL (a throw-away database per size on {make_url(POSTGRES_URL).host}, analysed after loading, dropped afterwards)"
            )
            results["PostgreSQL"] = {}
            for n in sizes:
                url = create_postgres_database()
                try:
                    results["PostgreSQL"][n] = measure("PostgreSQL", url, folder, n, analyse=True, limit=limit)
                finally:
                    drop_postgres_database(url)
    first, last = sizes[0], sizes[-1]
    say(
        f"  summary, {first:,} -> {last:,} cases ({last / first:.0f}x the data); aim: release under {AIM_SECONDS:.0f} s at the largest size, growing no faster than the data"
    )
    for label, by_size in results.items():
        for n in sizes:
            figures = by_size[n]
            verdict = ""
            if n == last:
                met = figures["release"] is not None and figures["release"] < AIM_SECONDS
                verdict = f"   (under {AIM_SECONDS:.0f} s: {'met' if met else 'NOT met'})"
            say(
                f"    {label:<10} {n:>9,} cases: insert {figures['insert']:7.1f} s   release {seconds(figures['release'], limit)}{verdict}"
            )
        if len(sizes) > 1:
            low, high = by_size[first]["release"], by_size[last]["release"]
            if low is None:
                say(f"    {label:<10} release({last:,}) / release({first:,}): not known (the smaller release was stopped too)")
                continue
            ratio = (high if high is not None else limit) / low
            verdict = "met" if high is not None and ratio <= last / first else "NOT met"
            more = "" if high is not None else "more than "
            say(
                f"    {label:<10} release({last:,}) / release({first:,}) = {more}{ratio:.2f}x (aim: at most {last / first:.0f}x: {verdict})"
            )
    say(f"  stats benchmark took {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
