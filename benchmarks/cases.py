"""Cases at 1,000 and at 100,000: intake cost against a plain-text control, seeding time and memory,
the case list and search by phone: on SQLite in a temporary folder, then on a scratch PostgreSQL
database (CASEWORK_BENCH_POSTGRES_URL names the server; skipped with a note if it is unreachable).

At each size N, in this order:
  1. `flask --app casework demo seed` in a subprocess, until the database holds N cases: wall time
     and the subprocess's peak memory (its own rusage, from os.wait4); then, on PostgreSQL, VACUUM
     ANALYZE, so that what follows measures the pages and not autovacuum catching up (`settle`);
  2. signed in as the demo coordinator: GET /cases/ (open cases by deadline band, the dates being
     encrypted), GET /cases/?status=all&sort=newest and GET /cases/due (the deadlines of the next 14
     days and the overdue ones, read from the cases whose band may hold one), then POST
     /cases/search by a phone that exists; at the first size also a case given NOTES notes: its page,
     which shows the latest 20, and the first of its notes pages;
  3. 1,000 intakes through `operations.create_case` (person, consent, case, deadlines, audit row),
     one transaction each as the intake request does, against 1,000 plain-text person + case pairs
     in control tables filled to the same N rows first. The database then holds N + 1,000 cases,
     so the next seeding adds that many fewer.

Aims: seeding memory bounded (under 500 MB at 100,000); list p95 at 100,000 at most 1.5 times that
at 1,000 (issue 11), on both databases; search p95 under 20 ms.
"""

import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, create_engine, func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from benchmarks.common import create_database, csrf_from, drop_database, ms, percentiles, settle, sign_in
from benchmarks.report import say
from casework import clock, create_app
from casework.cases import operations
from casework.config import PROJECT_ROOT
from casework.extensions import db
from casework.keyring import generate_keys, write_key_file
from casework.models import ROLE_NAMES, Case, Note, Person, Role, User

CREATED = 1_000
REQUESTS = 50
#: Notes on the case that stands for one followed for years (at the first size only).
NOTES = 500
WARM_UP = 3
PROGRESS_SECONDS = 30
SECRET_KEY = "benchmark-secret-key-long-enough-0123456789abcdef"
COORDINATOR = "coordinator@demo.casework.example"
COORDINATOR_PASSWORD = "demo coordinator password, not for real use"
LISTS = (
    ("GET /cases/ (open, by deadline)", "/cases/"),
    ("GET /cases/?status=all&sort=newest", "/cases/?status=all&sort=newest"),
    ("GET /cases/due (14 days)", "/cases/due"),
)


# The plain-text control: the same person and case columns, as text and dates, ordinary indexes. ----


class ControlBase(DeclarativeBase):
    pass


class ControlPerson(ControlBase):
    __tablename__ = "control_persons"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sex: Mapped[str | None] = mapped_column(String(1))
    citizenship: Mapped[str | None] = mapped_column(String(8))
    languages: Mapped[str | None] = mapped_column(String(64))
    surname_latin: Mapped[str | None] = mapped_column(Text, index=True)
    given_names_latin: Mapped[str | None] = mapped_column(Text, index=True)
    surname_cyrillic: Mapped[str | None] = mapped_column(Text, index=True)
    given_names_cyrillic: Mapped[str | None] = mapped_column(Text, index=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date, index=True)
    phone: Mapped[str | None] = mapped_column(Text, index=True)
    email: Mapped[str | None] = mapped_column(Text, index=True)
    telegram: Mapped[str | None] = mapped_column(Text, index=True)
    signal: Mapped[str | None] = mapped_column(Text)
    passport_number: Mapped[str | None] = mapped_column(Text, index=True)
    address: Mapped[str | None] = mapped_column(Text)


class ControlCase(ControlBase):
    __tablename__ = "control_cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("control_persons.id"), index=True)
    person: Mapped[ControlPerson] = relationship()
    status: Mapped[str] = mapped_column(String(16), index=True)
    outcome: Mapped[str | None] = mapped_column(String(16))
    assignee_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_by_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    possible_duplicate: Mapped[bool] = mapped_column(Boolean)
    is_demo: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)
    next_deadline_on: Mapped[date | None] = mapped_column(Date, index=True)
    location: Mapped[str | None] = mapped_column(String(16))
    military_situation: Mapped[str | None] = mapped_column(String(24))
    rank_group: Mapped[str | None] = mapped_column(String(24))
    reserve_category: Mapped[str | None] = mapped_column(String(8))
    specialty_class: Mapped[str | None] = mapped_column(String(16))
    fitness_category: Mapped[str | None] = mapped_column(String(8))
    profession_class: Mapped[str | None] = mapped_column(String(16))
    deferral: Mapped[str | None] = mapped_column(String(24))
    summons_type: Mapped[str | None] = mapped_column(String(24))
    summons_purpose: Mapped[str | None] = mapped_column(String(24))
    exit_ban: Mapped[str | None] = mapped_column(String(8))
    action: Mapped[str | None] = mapped_column(String(24))
    written_evidence: Mapped[str | None] = mapped_column(String(8))
    dutch_status: Mapped[str | None] = mapped_column(String(24))
    visa_limited_validity: Mapped[str | None] = mapped_column(String(8))
    needs: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(Text)
    deserted_on: Mapped[date | None] = mapped_column(Date)
    specialty_code: Mapped[str | None] = mapped_column(Text)
    deferral_until: Mapped[date | None] = mapped_column(Date)
    summons_posted_on: Mapped[date | None] = mapped_column(Date)
    summons_appear_on: Mapped[date | None] = mapped_column(Date)
    exit_ban_on: Mapped[date | None] = mapped_column(Date)
    visa_issuing_state: Mapped[str | None] = mapped_column(Text)
    entry_on: Mapped[date | None] = mapped_column(Date)
    days_used: Mapped[int | None] = mapped_column(Integer)
    permit_expires_on: Mapped[date | None] = mapped_column(Date)
    degree_completed_on: Mapped[date | None] = mapped_column(Date)
    asylum_applied_on: Mapped[date | None] = mapped_column(Date)
    asylum_decided_on: Mapped[date | None] = mapped_column(Date)
    narrative: Mapped[str | None] = mapped_column(Text)


PERSON_COLUMNS = [name for name in operations.PERSON_FIELDS if name in ControlPerson.__table__.c]
CASE_COLUMNS = [name for name in operations.CASE_FIELDS if name in ControlCase.__table__.c]


def intake(n: int) -> dict:
    """The intake of tests/factories.py (INTAKE), with identifiers and dates varied by `n`."""
    return {
        "consent_store": True,
        "consent_contact": True,
        "consent_partners": [],
        "consent_method": "telegram",
        "surname_latin": f"Sokolov{n}",
        "given_names_latin": "Dmitri",
        "surname_cyrillic": f"Соколов{n}",
        "given_names_cyrillic": "Дмитрий",
        "date_of_birth": date(1970 + n % 35, 1 + n % 12, 1 + n % 28),
        "sex": "M",
        "phone": f"+7916{n:07d}",
        "telegram": f"@dsokolov{n}",
        "location": "netherlands",
        "military_situation": "reservist",
        "rank_group": "soldier",
        "dutch_status": "schengen_visa",
        "permit_expires_on": clock.today() + timedelta(days=10 + n % 200),
        "needs": ["legal_advice", "stay_extension"],
        "narrative": "Received a mobilisation summons in October.",
    }


def control_rows(n: int, actor_id: int) -> tuple[dict, dict]:
    """One person and one case row of the control, with the same values as `intake(n)`."""
    data, now = intake(n), datetime.now()
    person = {"id": str(uuid.uuid4()), "created_at": now} | {name: data.get(name) for name in PERSON_COLUMNS}
    case = {name: data.get(name) for name in CASE_COLUMNS} | {
        "id": str(uuid.uuid4()),
        "person_id": person["id"],
        "status": "new",
        "created_by_id": actor_id,
        "created_at": now,
        "updated_at": now,
        "possible_duplicate": False,
        "is_demo": False,
        "version": 1,
        "next_deadline_on": data["permit_expires_on"],
        "needs": ",".join(data["needs"]),
    }
    return person, case


def fill_control(start: int, stop: int, actor_id: int) -> None:
    """Bring the control tables to `stop` pairs in bulk (not timed), so both sides insert into
    tables and indexes of the same size."""
    for offset in range(start, stop, 10_000):
        pairs = [control_rows(n, actor_id) for n in range(offset, min(offset + 10_000, stop))]
        db.session.execute(insert(ControlPerson), [person for person, _ in pairs])
        db.session.execute(insert(ControlCase), [case for _, case in pairs])
        db.session.commit()


def create_control(start: int, count: int, actor_id: int) -> float:
    started = time.perf_counter()
    for n in range(start, start + count):
        person_row, case_row = control_rows(n, actor_id)
        person = ControlPerson(**person_row)
        case_row.pop("person_id")
        db.session.add(ControlCase(person=person, **case_row))
        db.session.commit()
        db.session.expunge_all()
    return time.perf_counter() - started


def create_encrypted(start: int, count: int, actor_id: int) -> float:
    """`count` intakes, each as the intake request makes it: the signed-in user loaded, the case
    created, one commit."""
    started = time.perf_counter()
    for n in range(start, start + count):
        operations.create_case(intake(n), db.session.get(User, actor_id))
        db.session.commit()
        db.session.expunge_all()
    return time.perf_counter() - started


# Seeding in a subprocess ------------------------------------------------------------------------


def count_cases(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Case.__table__))
    finally:
        engine.dispose()


def seed(folder: Path, environment: dict, url: str, count: int, seed_value: int) -> tuple[float, float]:
    """`flask demo seed --cases count` in its own process; returns (wall seconds, peak RSS in MB).

    The peak is the child's own ru_maxrss from os.wait4, not the cumulative RUSAGE_CHILDREN maximum.
    """
    command = [
        str(Path(sys.executable).with_name("flask")),
        "--app",
        "casework",
        "demo",
        "seed",
        "--cases",
        str(count),
        "--seed",
        str(seed_value),
    ]
    log_path = folder / f"seed-{seed_value}.log"
    before = count_cases(url)
    done = threading.Event()

    def progress(started: float) -> None:
        while not done.wait(PROGRESS_SECONDS):
            try:
                made = count_cases(url) - before
            except OperationalError:
                continue
            rate = made / (time.perf_counter() - started)
            left = f", about {(count - made) / rate / 60:.1f} min left" if rate else ""
            say(f"    ... {made:,} of {count:,} seeded ({rate:.0f} cases/s{left})")

    with open(log_path, "w") as log:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
        reporter = threading.Thread(target=progress, args=(started,), daemon=True)
        reporter.start()
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        reporter.join()
    if child.returncode != 0:
        say(log_path.read_text()[-3000:])
        raise RuntimeError(f"demo seed exited with {child.returncode}")
    return wall, usage.ru_maxrss / 1024  # kilobytes on Linux


# Requests as the demo coordinator ---------------------------------------------------------------


def timed_requests(send, runs: int = REQUESTS) -> list[float]:
    for _ in range(WARM_UP):
        send()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        send()
        timings.append(time.perf_counter() - started)
    return timings


def measure_list(client, path: str) -> list[float]:
    def send():
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status_code}")

    return timed_requests(send)


def measure_case_pages(app, client) -> list[float]:
    with app.app_context():
        case_ids = db.session.scalars(select(Case.id).order_by(func.random()).limit(REQUESTS)).all()
    turn = iter(range(10**9))

    def send():
        path = f"/cases/{case_ids[next(turn) % len(case_ids)]}"
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status_code}")

    return timed_requests(send)


def measure_case_with_notes(app, client) -> tuple[list[float], list[float]]:
    """A case followed for years, with NOTES notes: its page (which shows the latest of them) and the
    first of its notes pages (50 of them)."""
    with app.app_context():
        case_id = db.session.scalar(
            select(Case.id)
            .join(Person, Case.person_id == Person.id)
            .where(Person.erased_at.is_(None))
            .order_by(func.random())
            .limit(1)
        )
        case = db.session.get(Case, case_id)
        author_id = db.session.scalar(select(User.id).where(User.email == COORDINATOR))
        db.session.add_all(
            Note(case=case, author_id=author_id, body=f"Call number {number}: no news yet.") for number in range(NOTES)
        )
        db.session.commit()
    return measure_list(client, f"/cases/{case_id}"), measure_list(client, f"/cases/{case_id}/notes")


def real_phones(app, how_many: int = 10) -> list[tuple[str, str]]:
    """(phone, case id) of people picked at random, decrypted as the app decrypts them."""
    with app.app_context():
        rows = db.session.execute(
            select(Person, Case.id)
            .join(Case, Case.person_id == Person.id)
            .where(Person.erased_at.is_(None))
            .order_by(func.random())
            .limit(how_many)
        ).all()
        return [(person.phone, case_id) for person, case_id in rows]


def measure_search(app, client) -> list[float]:
    token = csrf_from(client.get("/cases/search").get_data(as_text=True))
    phones = real_phones(app)
    turn = iter(range(10**9))

    def send():
        phone, case_id = phones[next(turn) % len(phones)]
        response = client.post("/cases/search", data={"field": "phone", "value": phone, "csrf_token": token})
        if response.status_code != 200 or f"/cases/{case_id}" not in response.get_data(as_text=True):
            raise RuntimeError(f"search by phone did not find case {case_id}: HTTP {response.status_code}")

    return timed_requests(send)


# The run -----------------------------------------------------------------------------------------


def run_on(url: str, label: str, folder: Path, sizes: tuple[int, ...]) -> None:
    """Every figure of the module docstring on the empty database at `url`."""
    results = {}
    key_file, documents = folder / "keys.json", folder / "documents"
    write_key_file(key_file, generate_keys(), new=True)
    app = create_app(
        {
            "CASEWORK_ENV": "testing",
            "SECRET_KEY": SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": url,
            "CASEWORK_KEY_FILE": str(key_file),
            "CASEWORK_KEYS": None,
            "CASEWORK_DOCUMENT_DIR": str(documents),
            "CASEWORK_REDIS_URL": None,
            "SESSION_TYPE": "sqlalchemy",
            "RATELIMIT_STORAGE_URI": "memory://",
            "CASEWORK_LOGIN_LIMIT_ACCOUNT": "1000 per minute",
            "CASEWORK_LOGIN_LIMIT_ADDRESS": "1000 per minute",
        }
    )
    with app.app_context():
        db.create_all()
        db.session.add_all(Role(name=role) for role in ROLE_NAMES)
        db.session.commit()
        ControlBase.metadata.create_all(db.engine)
    # The seeding subprocess reads only what is set here, never a developer's own CASEWORK_* settings.
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CASEWORK_")} | {
        "CASEWORK_DATABASE_URL": url,
        "CASEWORK_KEY_FILE": str(key_file),
        "CASEWORK_DOCUMENT_DIR": str(documents),
        "CASEWORK_ENV": "development",
        "CASEWORK_SECRET_KEY": SECRET_KEY,  # the same as the app's here, so the TOTP secrets decrypt
    }
    say(f"cases on {label} ({REQUESTS} requests per figure, after {WARM_UP} warm-up requests)")
    population, control_population, created_n = 0, 0, 0
    for round_number, size in enumerate(sizes, start=1):
        say(f"  at {size:,} cases")
        figures = results[size] = {}
        if size > population:
            count = size - population
            say(f"    seeding {count:,} demo cases in a subprocess (flask demo seed) ...")
            wall, peak = seed(folder, environment, url, count, seed_value=round_number)
            population = count_cases(url)
            figures["seed"] = (count, wall, peak)
            say(
                f"    seeding {count:,} cases: {wall:7.1f} s ({count / wall:.0f} cases/s), peak RSS of the subprocess {peak:6.0f} MB"
            )
            if (settled := settle(url)) is not None:
                say(f"    VACUUM ANALYZE after the bulk load: {settled:.1f} s")
        else:
            say(f"    (the database holds {population:,} cases already; nothing seeded)")
        client = app.test_client()
        sign_in(app, client, COORDINATOR, COORDINATOR_PASSWORD)
        say(f"    requests as the demo coordinator, on {os.cpu_count()} CPUs")
        for title, path in LISTS:
            figures[path] = measure_list(client, path)
            say(f"    {title:<38} {ms(figures[path])}")
        figures["case"] = measure_case_pages(app, client)
        say(f"    {'GET /cases/<id> (at random)':<38} {ms(figures['case'])}")
        if round_number == 1:
            page, notes = measure_case_with_notes(app, client)
            say(f"    {f'GET /cases/<id> with {NOTES} notes':<38} {ms(page)}")
            say(f"    {f'GET /cases/<id>/notes (50 of {NOTES})':<38} {ms(notes)}")
        figures["search"] = measure_search(app, client)
        say(f"    {'POST /cases/search (phone)':<38} {ms(figures['search'])}")
        with app.app_context():
            actor_id = db.session.scalar(select(User.id).where(User.email == COORDINATOR))
            fill_control(control_population, population, actor_id)
            control_population = population
            plain = create_control(control_population, CREATED, actor_id)
            control_population += CREATED
            sealed = create_encrypted(created_n, CREATED, actor_id)
            created_n += CREATED
        population = count_cases(url)
        figures["create"] = (plain, sealed)
        say(
            f"    create {CREATED:,} cases, one transaction each: plain control {plain:6.2f} s   "
            f"create_case {sealed:6.2f} s   ratio {sealed / plain:5.2f}x   (now {population:,} cases)"
        )
    first, last = sizes[0], sizes[-1]
    say(f"  summary on {label}, {first:,} -> {last:,} cases")
    for size in sizes:
        if "seed" in results[size]:
            count, wall, peak = results[size]["seed"]
            say(f"    seeding to {size:>7,}: {count:>7,} cases in {wall:7.1f} s, peak RSS {peak:4.0f} MB (aim: under 500 MB)")
    for title, path in (*LISTS, ("GET /cases/<id> (at random)", "case")):
        ratio = percentiles(results[last][path])[1] / percentiles(results[first][path])[1]
        say(f"    {title:<38} p95 at {last:,} / p95 at {first:,}: {ratio:5.2f}x (aim: at most 1.5x)")
    for size in sizes:
        p95 = percentiles(results[size]["search"])[1] * 1000
        say(f"    search by phone at {size:>7,}: p95 {p95:6.1f} ms (aim: under 20 ms)")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main(sizes=(1_000, 100_000)) -> None:
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="casework-bench-cases-") as name:
        run_on(f"sqlite:///{Path(name) / 'bench.sqlite'}", "SQLite", Path(name), sizes)
    try:
        url = create_database("cases")
    except OperationalError as unreachable:
        say(f"cases on PostgreSQL skipped: the server is not reachable ({type(unreachable).__name__})")
    else:
        try:
            with tempfile.TemporaryDirectory(prefix="casework-bench-cases-") as name:
                run_on(url, "PostgreSQL (a scratch database)", Path(name), sizes)
        finally:
            drop_database(url)
    say(f"  total time {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main(tuple(int(size) for size in sys.argv[1:]) or (1_000, 100_000))
