"""Encryption costs: creating people encrypted against a plain-text control of the same shape, and
blind-index lookups at 1,000 and 100,000 people.

Aims (issue "Encryption at rest"): creation at most 1.5x the control; lookup p50/p95 flat and
under 10 ms.
"""

import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from benchmarks.report import say
from casework import create_app
from casework.extensions import db
from casework.keyring import generate_keys, write_key_file
from casework.models import Person
from casework.people.search import find_people

BATCH = 1000
LOOKUPS = 200


class ControlBase(DeclarativeBase):
    pass


class PlainPerson(ControlBase):
    """The same fields as `Person`, stored as plain text, with ordinary indexes on what is searched."""

    __tablename__ = "plain_persons"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    surname_latin: Mapped[str] = mapped_column(Text, index=True)
    given_names_latin: Mapped[str] = mapped_column(Text)
    surname_cyrillic: Mapped[str] = mapped_column(Text, index=True)
    given_names_cyrillic: Mapped[str] = mapped_column(Text)
    date_of_birth: Mapped[date] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(Text, index=True)
    email: Mapped[str] = mapped_column(Text, index=True)
    telegram: Mapped[str] = mapped_column(Text, index=True)
    signal: Mapped[str] = mapped_column(Text)
    passport_number: Mapped[str] = mapped_column(Text, index=True)
    address: Mapped[str] = mapped_column(Text)
    sex: Mapped[str] = mapped_column(String(1))


def fields(n: int) -> dict:
    return dict(
        surname_latin=f"Ivanov{n}",
        given_names_latin="Sergei",
        surname_cyrillic=f"Иванов{n}",
        given_names_cyrillic="Сергей",
        date_of_birth=date(1970 + n % 40, 1 + n % 12, 1 + n % 28),
        phone=f"+3161{n:07d}",
        email=f"person{n}@example.org",
        telegram=f"@person{n}",
        signal=f"+3161{n:07d}",
        passport_number=f"75{n:07d}",
        address=f"Straat {n}, Utrecht",
        sex="M",
    )


def create(model, start: int, count: int) -> float:
    started = time.perf_counter()
    for offset in range(0, count, BATCH):
        for n in range(start + offset, start + min(offset + BATCH, count)):
            values = fields(n)
            db.session.add(model(id=f"{n:036d}", **values) if model is PlainPerson else model(**values))
        db.session.commit()
        db.session.expunge_all()
    return time.perf_counter() - started


def lookups(population: int) -> list[float]:
    timings = []
    for n in random.sample(range(population), LOOKUPS):
        started = time.perf_counter()
        found = find_people(phone=f"+3161{n:07d}")
        timings.append(time.perf_counter() - started)
        assert len(found) == 1
        db.session.expunge_all()
    return timings


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"p50 {statistics.median(ordered) * 1000:6.2f} ms   p95 {ordered[int(0.95 * (len(ordered) - 1))] * 1000:6.2f} ms"


def main(sizes=(1_000, 100_000)) -> None:
    with tempfile.TemporaryDirectory() as folder:
        key_file = Path(folder) / "keys.json"
        write_key_file(key_file, generate_keys(), new=True)
        app = create_app(
            {
                "CASEWORK_ENV": "testing",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}",
                "CASEWORK_KEY_FILE": str(key_file),
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )
        with app.app_context():
            db.create_all()
            ControlBase.metadata.create_all(db.engine)
            say("encryption (SQLite)")
            plain = create(PlainPerson, 0, 1_000)
            sealed = create(Person, 0, 1_000)
            say(f"  create 1,000 people: plain {plain:6.2f} s   encrypted {sealed:6.2f} s   ratio {sealed / plain:4.2f}x")
            population = 1_000
            for size in sizes:
                if size > population:
                    started = time.perf_counter()
                    create(Person, population, size - population)
                    say(f"  (seeded {size - population:,} more encrypted people in {time.perf_counter() - started:.1f} s)")
                    population = size
                say(f"  find by phone among {size:>7,}: {_ms(lookups(size))}")


if __name__ == "__main__":
    main()
