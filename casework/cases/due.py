"""Which deadlines are due, read without any plaintext deadline date (S20).

A case's deadlines are stored encrypted (`Case.deadlines`); the plaintext `deadline_band` says only
in which wide window the most urgent one fell on `deadline_band_on` (cases/deadlines.py). A question
such as "what is due in the next 14 days?" first narrows the cases by band in SQL, then decrypts
the deadlines of those cases and answers exactly. The daily `deadlines refresh` keeps the bands
current, so the cases read stay those that are due; if it has not run for a while, more cases are
read, and the answer is still exact.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, bindparam, select, update

from casework import clock
from casework.cases import deadlines
from casework.choices import OPEN_STATUSES
from casework.crypto import blind_index
from casework.extensions import db
from casework.keyring import current_keys
from casework.models import Case, User
from casework.paging import BoundedPage, bounded_page
from casework.permissions import visible_cases

#: Cases per page of the "Due soon" list, as on the case list.
PAGE_CASES = 25
#: Beyond this a page number is out of range anyway; kept within it so that the offset stays an integer SQL can hold.
MAX_PAGE = 100_000


@dataclass(frozen=True)
class DueItem:
    """One deadline of one case."""

    due_on: date
    kind: str
    case: Case

    def overdue(self, today: date) -> bool:
        return self.due_on < today


def bands_to_read(cases: Select, last: date) -> list[int]:
    """The bands whose cases may hold a deadline between today - OVERDUE_DAYS and `last`: band 0, and a
    later band only if one of its cases was banded long enough ago (deadlines.later_bands); after the
    daily refresh, none was. One step down an index per later band (ix_cases_band_age).

    Asked of `cases`, the reader's own: a stale case the reader may not see must change neither which
    of their cases are read nor, through the "Due soon" pager, what they are shown (S21)."""
    among = cases.with_only_columns(Case.id).order_by(None)
    stale = [
        number
        for number, before in deadlines.later_bands(last)
        if db.session.scalar(among.where(Case.deadline_band == number, Case.deadline_band_on < before).limit(1))
    ]
    return [0, *stale]


def _in_window(case: Case, first: date, last: date) -> list[DueItem]:
    return [DueItem(due, kind, case) for kind, due in case.deadlines if first <= due <= last]


def deadlines_between(cases: Select, first: date, last: date) -> Iterator[DueItem]:
    """The deadlines from `first` to `last` of the cases `cases` selects, read only where the band allows."""
    for case in db.session.scalars(cases.where(Case.deadline_band.in_(bands_to_read(cases, last)))):
        yield from _in_window(case, first, last)


def _earliest_first(item: DueItem):
    return item.due_on, item.case.created_at, item.case.id


@dataclass(frozen=True)
class DuePage:
    """One page of the "Due soon" list: the deadlines in the window of up to PAGE_CASES cases,
    earliest first. `cases` is that page of cases, counted up to a bound (casework.paging), for the pager.
    Iterating the page gives its items."""

    items: list[DueItem]
    cases: BoundedPage

    def __iter__(self) -> Iterator[DueItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _window(days: int) -> tuple[date, date]:
    today = clock.today()
    return today - timedelta(days=deadlines.OVERDUE_DAYS), today + timedelta(days=days)


def due_items(user: User, days: int, page: int = 1) -> DuePage:
    """The deadlines of the open cases `user` may see that fall in the next `days` days, and those
    overdue by up to deadlines.OVERDUE_DAYS.

    Paged by case, PAGE_CASES at a time, in the case list's order (most urgent band first, then by
    intake), so that a page costs the same with a hundred cases or a hundred thousand: only the page's
    cases are decrypted, and they are counted only up to paging.COUNT_BOUND. Within a page the
    deadlines are earliest first. Someone with fewer than PAGE_CASES such cases sees them all, in
    date order, on one page."""
    first, last = _window(days)
    open_cases = visible_cases(user).where(Case.status.in_(OPEN_STATUSES))
    cases = open_cases.where(Case.deadline_band.in_(bands_to_read(open_cases, last))).order_by(
        Case.deadline_band, Case.created_at, Case.id
    )
    chosen = bounded_page(cases, page=min(page, MAX_PAGE), per_page=PAGE_CASES)
    items = [item for case in chosen.items for item in _in_window(case, first, last)]
    return DuePage(sorted(items, key=_earliest_first), chosen)


def cases_due_within(cases: Select, days: int) -> Select:
    """`cases` narrowed to those with a deadline from today to `days` days ahead (the case list's
    "Deadline within" filter): the candidates' deadlines are decrypted, and the few that qualify
    are named in the query."""
    today = clock.today()
    ids = sorted({item.case.id for item in deadlines_between(cases, today, today + timedelta(days=days))})
    # Inlined rather than one parameter per id, which SQLite limits; the ids are the app's own UUIDs.
    return cases.where(Case.id.in_(bindparam("due_case_ids", ids, expanding=True, literal_execute=True)))


def missed(items: Iterable[DueItem]) -> list[DueItem]:
    """The dates to act before among `items`: an open window or a birthday limit is never missed."""
    return [item for item in items if deadlines.can_be_missed(item.kind)]


def due_and_missed(cases: Select, days: int) -> tuple[set[str], set[str]]:
    """The ids of `cases` with a deadline in the next `days` days, and of those with a date to act
    before missed in the last OVERDUE_DAYS: one pass, each case's deadlines decrypted once."""
    today = clock.today()
    due, late = set(), set()
    for item in deadlines_between(cases, today - timedelta(days=deadlines.OVERDUE_DAYS), today + timedelta(days=days)):
        if item.due_on >= today:
            due.add(item.case.id)
        elif deadlines.can_be_missed(item.kind):
            late.add(item.case.id)
    return due, late


def cases_overdue(cases: Select) -> Select:
    """`cases` narrowed to those with a deadline missed in the last OVERDUE_DAYS days."""
    today = clock.today()
    window = deadlines_between(cases, today - timedelta(days=deadlines.OVERDUE_DAYS), today - timedelta(days=1))
    ids = sorted({item.case.id for item in missed(window)})
    return cases.where(Case.id.in_(bindparam("overdue_case_ids", ids, expanding=True, literal_execute=True)))


def case_deadlines(case: Case) -> list[DueItem]:
    """Every deadline of one case, earliest first (the case page)."""
    return [DueItem(due, kind, case) for kind, due in case.deadlines]


def computed(case: Case) -> list[tuple[str, date]]:
    person = case.person
    return [] if person.erased else deadlines.compute(case, person.date_of_birth, person.sex)


def band_offsets(case_id: str) -> tuple[int, int]:
    """The case's secret band-edge offsets (deadlines.EDGE_JITTER_DAYS), from a keyed hash of its id
    under the index root, which is not in the database. A new index root gives new offsets; the
    bands computed before stay correct, only less tight, until the next refresh."""
    digest = blind_index(current_keys().index.current, Case.__tablename__, "deadline_band", case_id)
    return digest[0] % deadlines.EDGE_JITTER_DAYS, digest[1] % deadlines.EDGE_JITTER_DAYS


def refresh_case(case: Case) -> None:
    """Recompute the case's deadlines from its facts when it is saved: the encrypted list, and the
    band as of today."""
    today = clock.today()
    found = computed(case)
    case.deadlines = found
    case.deadline_band, case.deadline_band_on = deadlines.band(found, today, band_offsets(case.id)), today


def refresh_all(batch: int = 500) -> Iterator[int]:
    """`deadlines refresh`: recompute every case's deadlines and band as of today, committing each
    batch and yielding its size. Idempotent. Only a changed list is rewritten (a new version of the
    case); the band is set without touching the case's version or `updated_at`, so that moving it on
    a day never makes an open edit form stale."""
    today = clock.today()
    ids = db.session.scalars(select(Case.id).order_by(Case.id)).all()
    table = Case.__table__
    # Only if the case is still the version read: a case saved meanwhile has its band from that save.
    set_band = (
        update(table)
        .where(table.c.id == bindparam("case_id"), table.c.version == bindparam("read_version"))
        .values(deadline_band=bindparam("band"), deadline_band_on=bindparam("band_on"), updated_at=table.c.updated_at)
    )
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        found = {}
        for case in db.session.scalars(select(Case).where(Case.id.in_(chunk))):
            found[case] = computed(case)
            if found[case] != case.deadlines:
                case.deadlines = found[case]
        db.session.flush()
        bands = [
            {
                "case_id": case.id,
                "read_version": case.version,
                "band": deadlines.band(dates, today, band_offsets(case.id)),
                "band_on": today,
            }
            for case, dates in found.items()
        ]
        db.session.execute(set_band, bands)
        db.session.commit()
        db.session.expunge_all()
        yield len(chunk)
