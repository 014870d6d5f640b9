"""The global privacy-budget ledger (statistics.md, point 6).

Budget is reserved in the same transaction, before any data is read; the caps are checked against
everything already spent by anyone. A table is charged once per period (a unique row), so two
concurrent releases of a period cannot both spend: the second fails on the unique constraint.
Periods hold disjoint people (first intake only), so they compose in parallel: the lifetime cap is
charged only for tables whose populations overlap across periods, of which the catalogue has none.
A table reconciled to the period's noisy total also rests on the total's noise: its row records
that as `borrowed`, which its cost (and the per-table cap) includes and the period's spending does
not, since the total's own row pays for that noise once.
"""

from flask import current_app
from sqlalchemy import func, select

from casework.extensions import db
from casework.i18n import _l
from casework.models import LedgerEntry
from casework.stats.privacy import epsilon_text


class BudgetRefused(Exception):
    """Spending would pass a cap; the message is translated and safe to show."""


def caps() -> dict[str, float]:
    config = current_app.config
    return {
        "table": config["CASEWORK_EPSILON_TABLE"],
        "period": config["CASEWORK_EPSILON_PERIOD"],
        "lifetime": config["CASEWORK_EPSILON_LIFETIME"],
    }


def spent_in(period: str) -> float:
    return float(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.epsilon), 0.0)).where(LedgerEntry.period == period)))


def spent_over_lifetime(adding: dict[str, float] | None = None, period: str | None = None, overlapping: bool = False) -> float:
    """Overlapping tables add up; disjoint periods cost only as much as the most expensive period.

    With `adding`, the lifetime spending as it would be once those costs are charged to `period`.
    """
    added = sum((adding or {}).values())
    shared = float(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.epsilon), 0.0)).where(LedgerEntry.overlapping)))
    per_period = {
        row_period: float(total)
        for row_period, total in db.session.execute(
            select(LedgerEntry.period, func.sum(LedgerEntry.epsilon))
            .where(LedgerEntry.overlapping.is_(False))
            .group_by(LedgerEntry.period)
        )
    }
    if overlapping:
        shared += added
    elif period is not None:
        per_period[period] = per_period.get(period, 0.0) + added
    return shared + max(per_period.values(), default=0.0)


def reserve(
    period: str,
    costs: dict[str, float],
    release_id: int | None = None,
    overlapping: bool = False,
    borrowed: dict[str, float] | None = None,
) -> list[LedgerEntry]:
    """Charge each table's cost for `period`, or refuse the whole request before any data is read.

    `costs` are each table's own noise; `borrowed`, the noise of other tables in the same request
    that a table's published cells also rest on (the total's, for reconciliation). A table's true
    cost, own plus borrowed, is what the per-table cap limits. `overlapping` marks tables whose
    population is not confined to the period; the catalogue has none today, and such tables would
    count in full against the lifetime cap.
    """
    limit = caps()
    borrowed = borrowed or {}
    if any(cost + borrowed.get(table_id, 0.0) > limit["table"] + 1e-12 for table_id, cost in costs.items()):
        raise BudgetRefused(_l("A table may not cost more than epsilon %(cap)s.", cap=epsilon_text(limit["table"])))
    already = db.session.scalars(
        select(LedgerEntry.table_id).where(LedgerEntry.period == period, LedgerEntry.table_id.in_(costs))
    ).all()
    if already:
        raise BudgetRefused(_l("These tables were released for this period already; a period is never recomputed."))
    if spent_in(period) + sum(costs.values()) > limit["period"] + 1e-9:
        raise BudgetRefused(
            _l("This would pass the privacy budget of the period (epsilon %(cap)s).", cap=epsilon_text(limit["period"]))
        )
    if spent_over_lifetime(costs, period, overlapping) > limit["lifetime"] + 1e-9:
        raise BudgetRefused(
            _l("This would pass the lifetime privacy budget (epsilon %(cap)s).", cap=epsilon_text(limit["lifetime"]))
        )
    entries = [
        LedgerEntry(
            period=period,
            table_id=table_id,
            epsilon=cost,
            borrowed=borrowed.get(table_id, 0.0),
            release_id=release_id,
            overlapping=overlapping,
        )
        for table_id, cost in costs.items()
    ]
    db.session.add_all(entries)
    db.session.flush()
    return entries
