"""The fixed catalogue of tables (statistics.md, points 1 to 3) and how each is counted in SQL.

The privacy unit is one person, counted once per table, in the period of their first intake only,
with the facts of that first case: so periods hold disjoint populations and compose in parallel.
A human logged twice counts as two records until a coordinator joins them (contributors.py).
Category lists come from this code, never from the data, and every cell is published, zeros too.
"""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import case as when
from sqlalchemy import exists, func, select, text, tuple_
from sqlalchemy.orm import aliased

from casework.choices import THIRD_COUNTRIES
from casework.database import on_postgresql
from casework.extensions import db
from casework.i18n import _l
from casework.models import Case, CaseTag, Person
from casework.proposals import AGE_BANDS, PROPOSAL_LABELS, PROPOSALS

SEXES = ("M", "F", "X", "unknown")
SITUATIONS = ("russia", "third_country", "schengen", "netherlands", "unknown")
PROPOSAL_CATEGORIES = (*PROPOSALS, "none")
LEFT_OUT = ("P1", "P2", "P3", "not_left_out")

LABELS = {
    "18-24": "18-24",
    "25-34": "25-34",
    "35-44": "35-44",
    "45+": "45+",
    "unknown": _l("Unknown"),
    "M": _l("Men"),
    "F": _l("Women"),
    # Translators: the third sex marker in a passport (neither M nor F); keep the letter.
    "X": _l("X"),
    "russia": _l("In Russia"),
    "third_country": _l("In a third country"),
    "schengen": _l("In another Schengen state"),
    "netherlands": _l("In the Netherlands"),
    **PROPOSAL_LABELS,
    "none": _l("No proposal"),
    "not_left_out": _l("Not left out"),
    "total": _l("Total"),
}


PERIOD = re.compile(r"[0-9]{4}Q[1-4]")


def period_bounds(period: str) -> tuple[date, date]:
    """ "2026Q3" -> (2026-07-01, 2026-10-01): the first day, and the day after the last.

    Only this exact ASCII spelling is accepted: any other (full-width or other scripts' digits) would
    name the same people under a new key and let a period be released twice.
    """
    if not isinstance(period, str) or not PERIOD.fullmatch(period):
        raise ValueError("a period is written like 2026Q3")
    year, quarter = int(period[:4]), int(period[-1])
    start = date(year, 3 * quarter - 2, 1)
    return start, start + relativedelta(months=3)


def _first_cases(start: date, end: date):
    """Each person's first case, for people whose first intake falls in [start, end).

    Read from the period's cases only: a case counts when no case of the same person came before it
    (ties broken by id), a step in the index ix_cases_person_first. So the cost follows the period,
    not every case ever taken in.
    """
    earlier = aliased(Case)
    before = exists().where(
        earlier.person_id == Case.person_id,
        tuple_(earlier.created_at, earlier.id) < tuple_(Case.created_at, Case.id),
    )
    return (
        select(
            Case.id.label("case_id"),
            Case.person_id.label("person_id"),
            Case.age_band.label("age_band"),
            Case.location.label("location"),
        )
        .where(Case.created_at >= start, Case.created_at < end, ~before)
        .subquery()
    )


def _first_proposal(first, column):
    """The first of P1, P2, P3 that holds (or is left out) for the person's first case."""
    return select(func.min(CaseTag.proposal)).where(CaseTag.case_id == first.c.case_id, CaseTag.holds, column).scalar_subquery()


def _dimension(name: str, first):
    if name == "age_band":
        return func.coalesce(first.c.age_band, "unknown")
    if name == "sex":
        return func.coalesce(Person.sex, "unknown")
    if name == "situation":
        return when(
            (first.c.location == "russia", "russia"),
            (first.c.location.in_(sorted(THIRD_COUNTRIES)), "third_country"),
            (first.c.location == "schengen", "schengen"),
            (first.c.location == "netherlands", "netherlands"),
            else_="unknown",
        )
    if name == "proposal":
        return func.coalesce(_first_proposal(first, CaseTag.holds), "none")
    if name == "left_out":
        return func.coalesce(_first_proposal(first, CaseTag.left_out), "not_left_out")
    raise KeyError(name)


@dataclass(frozen=True)
class Table:
    id: str
    title: object
    dimension: str
    categories: tuple[str, ...]


CATALOGUE = (
    Table("total", _l("People who asked for help"), "total", ("total",)),
    Table("age_band", _l("By age band"), "age_band", AGE_BANDS),
    Table("sex", _l("By sex"), "sex", SEXES),
    Table("situation", _l("By where they were"), "situation", SITUATIONS),
    Table("proposal", _l("By the proposal that would help (first that applies)"), "proposal", PROPOSAL_CATEGORIES),
    Table("left_out", _l("Left out by current policy, by proposal (first that applies)"), "left_out", LEFT_OUT),
)
TABLES = {table.id: table for table in CATALOGUE}
#: The tables split by a dimension of the first case (all but the total), in the catalogue's order.
_SPLIT = [table for table in CATALOGUE if table.dimension != "total"]


def first_case_rows(period: str) -> list[tuple]:
    """(person id, age band, sex, situation, proposal, left out) of the first case of every person
    whose own first intake is in `period`: the one read of a release, shared by deciding who counts
    (contributors.plan) and counting (`tally`)."""
    if on_postgresql():
        # PostgreSQL would compile this one query to machine code first (its cost estimate is high
        # at a million cases), which took longer than running it: off for this transaction only.
        db.session.execute(text("SET LOCAL jit = off"))
    first = _first_cases(*period_bounds(period))
    keys = [_dimension(table.dimension, first).label(table.dimension) for table in _SPLIT]
    return db.session.execute(
        select(first.c.person_id, *keys).select_from(first).join(Person, Person.id == first.c.person_id)
    ).all()


def tally(rows: list[tuple], counted: set[str]) -> dict[str, list[int]]:
    """True counts of every table over the `counted` people among `rows` (`first_case_rows`), by
    table id, zeros included. Never published."""
    combinations = Counter(tuple(values) for person_id, *values in rows if person_id in counted)
    counts = {table.id: dict.fromkeys(table.categories, 0) for table in CATALOGUE}
    counts["total"]["total"] = sum(combinations.values())
    for values, people in combinations.items():
        for table, value in zip(_SPLIT, values, strict=True):
            if value in counts[table.id]:
                counts[table.id][value] += people
    return {table_id: list(cells.values()) for table_id, cells in counts.items()}
