"""Pages of a list whose total is counted only up to a bound.

An exact count of a long list reads every matching row (68,000 index entries for a volunteer with
most of the cases), however few the page shows. Here the count stops at `COUNT_BOUND` + 1 rows, so
a page costs the same whatever the list's length: past the bound the page says "more than N", and
"next" is known by reading one row more than the page shows.
"""

from dataclasses import dataclass
from math import ceil

from sqlalchemy import Select, func, literal, select

from casework.extensions import db

#: Totals up to this many are exact; past it they are shown as "more than COUNT_BOUND".
COUNT_BOUND = 1000


@dataclass
class BoundedPage:
    """The parts of Flask-SQLAlchemy's `Pagination` that the pager uses; `total` is None past the bound."""

    items: list
    page: int
    per_page: int
    total: int | None
    more_than: int | None
    has_next: bool

    @property
    def pages(self) -> int | None:
        """How many pages there are, when the total is known."""
        return ceil(self.total / self.per_page) if self.total is not None else None

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def bounded_page(query: Select, *, page: int, per_page: int) -> BoundedPage:
    """Page `page` (from 1) of `query`, and its total if that is at most `COUNT_BOUND`."""
    page = max(page, 1)
    rows = db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)).all()
    bound = COUNT_BOUND
    head = query.order_by(None).with_only_columns(literal(1), maintain_column_froms=True).limit(bound + 1).subquery()
    counted = db.session.scalar(select(func.count()).select_from(head))
    total = counted if counted <= bound else None
    return BoundedPage(
        items=rows[:per_page],
        page=page,
        per_page=per_page,
        total=total,
        more_than=None if total is not None else bound,
        has_next=len(rows) > per_page,
    )


def list_page(items: list, page: int, per_page: int) -> BoundedPage:
    """A page of a list already in memory (an import's dry-run report), for the same pager; a page
    past the end shows the last."""
    pages = max(1, ceil(len(items) / per_page))
    page = min(page, pages)
    shown = items[(page - 1) * per_page : page * per_page]
    return BoundedPage(items=shown, page=page, per_page=per_page, total=len(items), more_than=None, has_next=page < pages)
