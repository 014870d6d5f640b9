"""Conscription and reserve age limits read from reserve_limits.toml: the one source for the rules and
for the deadlines a case page shows (domain.md, "Facts behind the rules").

Every limit ends the day before a birthday. A birthday is the date of birth moved by whole years; for
someone born on 29 February it falls on 28 February in other years (a period in years ends on the last
day of its month when the month has no such day). A rank group of "none" is a private soldier, the
rank of everyone who never served; a rank that is not recorded gives no limit here, and the facts
decide only where every rank would agree.
"""

import tomllib
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from dateutil.relativedelta import relativedelta

RANKS = ("soldier", "junior_officer", "major", "colonel", "senior_officer")
OFFICER_RANKS = frozenset(RANKS[1:])


@cache
def table() -> dict:
    return tomllib.loads(Path(__file__).with_name("reserve_limits.toml").read_text())


def in_force(entries: list[dict], on: date) -> dict:
    """The entry of a list of dated tables that is in force on `on`."""
    return max((entry for entry in entries if entry["from"] <= on), key=lambda entry: entry["from"])


def birthday(born: date, age: int) -> date:
    """The day on which someone born on `born` turns `age`."""
    return born + relativedelta(years=age)


def age_on(born: date, on: date) -> int:
    """Whole years on `on`: the age turns on the birthday itself."""
    years = on.year - born.year
    return years if birthday(born, years) <= on else years - 1


def last_day_before(born: date, age: int) -> date:
    """The last day of a limit that ends the day before the `age`th birthday."""
    return birthday(born, age) - timedelta(days=1)


def rank_for_limits(rank: str | None) -> str | None:
    """The rank group whose limits apply: "none" is a private soldier; None when not recorded."""
    if rank == "none":
        return "soldier"
    return rank if rank in RANKS else None


def conscription_last_day(born: date, on: date) -> date:
    """The last day of conscription age, under the law in force on `on`."""
    entry = in_force(table()["conscription"], on)
    excluded = entry.get("not_if_turned")
    if excluded and birthday(born, excluded["age"]) < excluded["before"]:
        return last_day_before(born, excluded["age"])
    return last_day_before(born, entry["until"])


def in_conscription_age(born: date, on: date) -> bool:
    entry = in_force(table()["conscription"], on)
    return birthday(born, entry["first"]) <= on <= conscription_last_day(born, on)


def category_ends(sex: str, rank: str, born: date, on: date) -> dict[str, int]:
    """{category: the birthday on which it ends} for a known sex ("M"/"F") and rank group, under the
    table in force on `on`; the last category is cut by the transition by birth year."""
    period = in_force(table()["reserve"], on)
    if sex == "F":
        return {"3": period["women_officer" if rank in OFFICER_RANKS else "women_other"]}
    ends = {str(number): until for number, until in enumerate(period[rank], start=1)}
    for cap in period.get("last_category_by_birth_year", {}).get(rank, []):
        if born.year <= cap["born_by"]:
            last = max(ends)
            ends[last] = min(ends[last], cap["until"])
            if len(ends) > 1 and ends[last] <= ends[str(int(last) - 1)]:
                del ends[last]  # the cap leaves the last category empty
            break
    return ends


def reserve_until(sex: str, rank: str, born: date, on: date) -> int:
    """The birthday on which the reserve ends (the end of the last category)."""
    return max(category_ends(sex, rank, born, on).values())


def reserve_last_day(sex: str, rank: str, born: date, on: date) -> date:
    return last_day_before(born, reserve_until(sex, rank, born, on))


def category_on(sex: str, rank: str, born: date, on: date) -> str | None:
    """The reserve category that follows from age and rank, or None outside the reserve age (under 18
    or past its limit)."""
    age = age_on(born, on)
    if age < 18:
        return None
    return next((category for category, until in sorted(category_ends(sex, rank, born, on).items()) if age < until), None)


def age_deadlines(born: date, sex: str | None, rank: str | None, on: date) -> list[tuple[str, date]]:
    """The last day of conscription age (men) and of the reserve age limit (when the rank group is
    recorded), under the law in force on `on`, as (deadline kind, date)."""
    found = []
    if sex == "M":
        found.append(("conscription_age_end", conscription_last_day(born, on)))
    if sex in ("M", "F") and rank_for_limits(rank):
        found.append(("reserve_age_end", reserve_last_day(sex, rank_for_limits(rank), born, on)))
    return found
