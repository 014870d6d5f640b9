"""How each deadline reads: a date to act before, a window that opens, or a date to know.

"Extension window opens" is not missed once the window is open: from then on it reads "open until"
the expiry. A birthday limit is never overdue: it is information about the person. Only a date to
act before turns overdue, and overdue items older than COLLAPSE_AFTER_DAYS fold into one line per
case, so that the list leads with what can still be done. Each kind has its own horizon: a permit
ending in six weeks belongs on the list, a summons in six weeks does not yet.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app

from casework.cases.deadlines import ACT_BEFORE, BEHAVIOUR, INFORMATION, KINDS, WINDOW
from casework.cases.due import DueItem
from casework.config import ConfigError

#: Days ahead from which each kind is shown, unless CASEWORK_DEADLINE_HORIZONS says otherwise.
HORIZON_DAYS = {
    "permit_expiry": 90,
    "short_stay_end": 90,
    "extension_window": 90,
    "orientation_year_end": 90,
    "summons_served": 14,
    "sanctions": 14,
    "conscription_age_end": 90,
    "reserve_age_end": 90,
}

#: Overdue for longer than this, a case's missed dates fold into one line.
COLLAPSE_AFTER_DAYS = 30

OVERDUE, DUE, OPEN, INFO = "overdue", "due", "open", "info"


@dataclass(frozen=True)
class Entry:
    """One line of a deadline list: the deadline, how it reads today, and until when a window is open."""

    item: DueItem
    state: str
    open_until: date | None = None


@dataclass
class Agenda:
    entries: list[Entry] = field(default_factory=list)
    #: Case id -> how many old overdue deadlines were folded into one line, with the case.
    folded: dict = field(default_factory=dict)

    def count(self, state: str, within_days: int | None = None, today: date | None = None) -> int:
        entries = [entry for entry in self.entries if entry.state == state]
        if within_days is not None:
            entries = [entry for entry in entries if entry.item.due_on <= today + timedelta(days=within_days)]
        return len(entries)


def check_horizons(configured: dict[str, int]) -> None:
    """Refuse CASEWORK_DEADLINE_HORIZONS naming a kind that does not exist: a misspelt kind
    (`permit_expiri=60`) would be ignored without a word, leaving that kind on its default horizon."""
    unknown = sorted(set(configured) - set(KINDS))
    if unknown:
        raise ConfigError(
            f"CASEWORK_DEADLINE_HORIZONS names no such kind of deadline: {', '.join(unknown)}. "
            f"The kinds are: {', '.join(sorted(KINDS))}."
        )


def horizons() -> dict[str, int]:
    return {**HORIZON_DAYS, **current_app.config.get("CASEWORK_DEADLINE_HORIZONS", {})}


def longest_horizon() -> int:
    return max(horizons().values())


def agenda(items: Iterable[DueItem], today: date, window_days: int | None = None) -> Agenda:
    """Read `items` as of `today`: each kind within its horizon (or within `window_days` for every
    kind, when the reader chose one), windows open until their expiry, old overdue items folded."""
    reach = horizons()
    result = Agenda()
    expiries = {}
    for item in items:
        if item.kind == "permit_expiry":
            expiries[item.case.id] = item.due_on
    for item in items:
        behaviour = BEHAVIOUR.get(item.kind, ACT_BEFORE)
        ahead = (item.due_on - today).days
        if ahead > (window_days if window_days is not None else reach.get(item.kind, max(reach.values()))):
            continue
        if behaviour == INFORMATION:
            if ahead >= 0:
                result.entries.append(Entry(item, INFO))
        elif behaviour == WINDOW:
            closes = expiries.get(item.case.id) or _expiry_of(item)
            if ahead > 0:
                result.entries.append(Entry(item, DUE, closes))
            elif closes is None or closes >= today:
                result.entries.append(Entry(item, OPEN, closes))
        elif ahead >= 0:
            result.entries.append(Entry(item, DUE))
        elif -ahead > COLLAPSE_AFTER_DAYS:
            count, _case = result.folded.get(item.case.id, (0, item.case))
            result.folded[item.case.id] = (count + 1, item.case)
        else:
            result.entries.append(Entry(item, OVERDUE))
    return result


def _expiry_of(item: DueItem) -> date | None:
    return next((due for kind, due in item.case.deadlines if kind == "permit_expiry"), None)
