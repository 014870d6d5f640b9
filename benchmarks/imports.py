"""Importing a spreadsheet of 10,000 rows with `flask import cases`, on SQLite in a temporary folder.

Each repetition starts from an empty database and a CSV file of generated DEMO people (names in both
scripts, dates of birth in three formats, coded values spelt in Russian and English, one row in 50
repeating an earlier person, one in 100 with a date that cannot exist), then runs, each in its own
process:
  1. `flask import cases FILE --dry-run`: every row checked with the intake form's rules and looked
     up through the blind indexes, nothing written;
  2. `flask import cases FILE --vouch`: every valid row created with `create_case` (the intake's
     person, consent, deadlines, tags and audit row) and checked against the people already
     recorded, 50 rows per transaction.
For each: wall time, rows per second, and the process's own peak RSS (ru_maxrss from os.wait4).
Each line carries the machine's load average; the first and last lines give it before and after.
`CASEWORK_BENCH_IMPORT_ROWS` and `CASEWORK_BENCH_IMPORT_REPEAT` change the size and repetitions.
"""

import csv
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from flask_security import hash_password

from benchmarks.report import say
from casework import create_app
from casework.config import PROJECT_ROOT
from casework.extensions import db
from casework.keyring import generate_keys, write_key_file
from casework.models import ROLE_NAMES, Role, User

ROWS = int(os.environ.get("CASEWORK_BENCH_IMPORT_ROWS", "10000"))
REPEAT = int(os.environ.get("CASEWORK_BENCH_IMPORT_REPEAT", "2"))
SECRET_KEY = "benchmark-secret-key-long-enough-0123456789abcdef"
COORDINATOR = "importer@bench.casework.example"
HEADERS = [
    "Фамилия (лат.)",
    "Имя (лат.)",
    "Фамилия",
    "Имя",
    "Дата рождения",
    "Пол",
    "Телефон",
    "Где сейчас",
    "Военный статус",
    "Нужды",
    "История",
]
#: Surnames are made of four of these syllables and "ov" (10,000 of them, in both scripts), so that
#: people share a surname about as rarely as in a real sheet; digits would be dropped by the name
#: skeleton of the blind indexes and make every "Demov<n>" the same surname.
SYLLABLES = [
    ("ka", "ка"),
    ("ro", "ро"),
    ("mi", "ми"),
    ("le", "ле"),
    ("no", "но"),
    ("va", "ва"),
    ("tu", "ту"),
    ("sha", "ша"),
    ("de", "де"),
    ("bo", "бо"),
]
GIVEN = [("Ivan", "Иван"), ("Pavel", "Павел"), ("Oleg", "Олег"), ("Anton", "Антон"), ("Ilya", "Илья")]
PLACES = ["Грузия", "Kazakhstan", "Нидерланды", "Россия", "Turkey", "Армения"]
SITUATIONS = ["мобилизован", "mob.", "reservist", "запас", "не служил", "contract"]
NEEDS = ["юрист", "legal advice; housing", "жилье", "продление", ""]


def write_sheet(path: Path, rows: int, seed: int) -> None:
    """DEMO people with generated names, each with a phone of their own."""
    chance = random.Random(seed)
    written = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        sheet = csv.writer(handle)
        sheet.writerow(HEADERS)
        for number in range(rows):
            if written and number % 50 == 49:
                sheet.writerow(chance.choice(written))
                continue
            parts = [chance.choice(SYLLABLES) for _ in range(4)]
            latin, cyrillic = "".join(p[0] for p in parts).capitalize() + "ov", "".join(p[1] for p in parts).capitalize() + "ов"
            given, given_cyrillic = chance.choice(GIVEN)
            born = date(1970, 1, 1) + timedelta(days=chance.randrange(365 * 35))
            shown = ["%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"][number % 3]
            row = [
                latin,
                given,
                cyrillic,
                given_cyrillic,
                "31.02.1990" if number % 100 == 7 else born.strftime(shown),
                "м",
                f"+7916{number:07d}",
                chance.choice(PLACES),
                chance.choice(SITUATIONS),
                chance.choice(NEEDS),
                "DEMO: a generated person for the import benchmark.",
            ]
            written.append(row)
            sheet.writerow(row)


def prepare(folder: Path) -> dict:
    """An empty database with one coordinator; the environment the import commands run in."""
    key_file, url = folder / "keys.json", f"sqlite:///{folder / 'bench.sqlite'}"
    write_key_file(key_file, generate_keys(), new=True)
    settings = {
        "CASEWORK_ENV": "testing",
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": url,
        "CASEWORK_KEY_FILE": str(key_file),
        "CASEWORK_KEYS": None,
        "CASEWORK_DOCUMENT_DIR": str(folder / "documents"),
        "CASEWORK_REDIS_URL": None,
        "SESSION_TYPE": "sqlalchemy",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    app = create_app(settings)
    with app.app_context():
        db.create_all()
        db.session.add_all(Role(name=role) for role in ROLE_NAMES)
        coordinator = db.session.scalar(db.select(Role).where(Role.name == "coordinator"))
        password = hash_password("benchmark importer passphrase, not for real use")
        db.session.add(User(email=COORDINATOR, password=password, role=coordinator, fs_uniquifier=uuid.uuid4().hex, active=True))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    # The commands read only what is set here, never a developer's own CASEWORK_* settings.
    return {key: value for key, value in os.environ.items() if not key.startswith("CASEWORK_")} | {
        "CASEWORK_DATABASE_URL": url,
        "CASEWORK_KEY_FILE": str(key_file),
        "CASEWORK_DOCUMENT_DIR": str(folder / "documents"),
        "CASEWORK_ENV": "development",
        "CASEWORK_SECRET_KEY": SECRET_KEY,
        "CASEWORK_JOB_STORE": str(folder / "jobs.sqlite"),
    }


def run_import(environment: dict, sheet: Path, mode: str, log: Path) -> tuple[float, float]:
    """One `flask import cases` in its own process: (wall seconds, peak RSS in MB)."""
    command = [
        str(Path(sys.executable).with_name("flask")),
        "--app",
        "casework",
        "import",
        "cases",
        str(sheet),
        "--as",
        COORDINATOR,
        mode,
    ]
    with log.open("w") as output:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        say(log.read_text()[-3000:])
        raise RuntimeError(f"flask import cases {mode} failed")
    return wall, usage.ru_maxrss / 1024  # kilobytes on Linux


def main(rows: int = ROWS, repeat: int = REPEAT) -> None:
    say(f"import: {rows:,} generated rows, {repeat} repetitions, SQLite, {os.cpu_count()} CPUs (load before)")
    for round_number in range(1, repeat + 1):
        with tempfile.TemporaryDirectory(prefix="casework-bench-import-") as name:
            folder = Path(name)
            sheet = folder / "sheet.csv"
            write_sheet(sheet, rows, seed=round_number)
            environment = prepare(folder)
            size = sheet.stat().st_size / (1024 * 1024)
            for mode, title in (("--dry-run", "dry run"), ("--vouch", "import")):
                wall, peak = run_import(environment, sheet, mode, folder / f"{mode[2:]}.log")
                say(
                    f"  round {round_number}, {title:<8} {rows:,} rows, {size:4.1f} MB: {wall:7.1f} s, "
                    f"{rows / wall:6.0f} rows/s, peak RSS {peak:5.0f} MB"
                )
            summary = next(line for line in (folder / "vouch.log").read_text().splitlines() if line.startswith("Import "))
            say(f"  round {round_number}: {summary.split(': ', 1)[1]}")
    say("import: done (load after)")


if __name__ == "__main__":
    main()
