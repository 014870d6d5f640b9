"""The "Due soon" list costs the same with a thousand cases as with a hundred thousand: its total is
counted only up to a bound, and whether a later band must be read is one step down an index.

At 100,000 cases on PostgreSQL the list took 940 ms (21.5x its time at 1,000): the exact count read
every open case of the bands shown (a sequential scan, 162 ms), and each later band's staleness check
read the whole band when, after the daily refresh, no case in it was stale (16 ms)."""

from datetime import timedelta

from sqlalchemy import inspect, select, text

from casework import clock, paging
from casework.cases import deadlines
from casework.extensions import db
from casework.models import Case
from tests.statements import statements_during


def _due_in(days: int) -> dict:
    return {"date_of_birth": None, "dutch_status": "student", "permit_expires_on": clock.today() + timedelta(days=days)}


def test_past_the_bound_the_due_list_pages_on_without_counting_every_case(app, signed_in, create_case, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_BOUND", 2)
    monkeypatch.setattr("casework.cases.due.PAGE_CASES", 2)
    client, coordinator = signed_in("coordinator")
    for n in range(5):
        create_case(by=coordinator, surname_latin=f"Srokov-{n}", surname_cyrillic=f"Сроков-{n}", **_due_in(5 + n))
    response = None

    def send():
        nonlocal response
        response = client.get("/cases/due")

    statements = statements_during(app, send)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Srokov-0" in html and "Srokov-1" in html and "Srokov-2" not in html
    assert "Page 1" in html and "Page 1 of" not in html and "page=2" in html
    counts = [s for s in statements if s.upper().startswith("SELECT COUNT(*)") and "FROM cases" in s]
    assert counts and all("LIMIT" in s.upper() for s in counts), counts

    last = client.get("/cases/due?page=3").get_data(as_text=True)
    assert "Srokov-4" in last and "page=2" in last and "page=4" not in last


def test_within_the_bound_the_due_list_knows_its_last_page(app, signed_in, create_case, monkeypatch):
    monkeypatch.setattr("casework.cases.due.PAGE_CASES", 2)
    client, coordinator = signed_in("coordinator")
    for n in range(3):
        create_case(by=coordinator, surname_latin=f"Srokov-{n}", surname_cyrillic=f"Сроков-{n}", **_due_in(5 + n))
    assert "Page 1 of 2" in client.get("/cases/due").get_data(as_text=True)


def _plan(query) -> str:
    """The database's plan for `query`, as text; PostgreSQL is told to avoid a full scan where it can,
    since on a table of a few rows it would rightly prefer one."""
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        return "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
    return "\n".join(row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))


def test_a_bands_staleness_is_one_step_down_an_index(app, signed_in, create_case):
    """SQLite, which keeps no statistics, always plans the check on the narrow index. PostgreSQL, on a
    table of a few rows, costs both indexes that start with the band the same and picks either, so
    there the test checks that the narrow index exists and that the plan seeks on both columns."""
    _, coordinator = signed_in("coordinator")
    create_case(by=coordinator, **_due_in(200))
    with app.app_context():
        number, before = deadlines.later_bands(clock.today() + timedelta(days=90))[-1]
        stale = select(Case.id).where(Case.deadline_band == number, Case.deadline_band_on < before).limit(1)
        plan, database = _plan(stale), db.engine.dialect.name
        db.session.rollback()
        indexes = {index["name"]: index["column_names"] for index in inspect(db.engine).get_indexes("cases")}
    assert indexes.get("ix_cases_band_age") == ["deadline_band", "deadline_band_on"], indexes
    if database == "sqlite":
        # "SEARCH cases USING COVERING INDEX ix_cases_band_age (deadline_band=? AND deadline_band_on<?)"
        assert "ix_cases_band_age" in plan and "deadline_band_on<?" in plan, plan
    else:
        assert "Index Cond" in plan and "deadline_band = " in plan and "deadline_band_on <" in plan, plan
