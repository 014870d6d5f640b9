"""Releases: requested for a closed period, approved by an admin, computed once, frozen, served alike.

Computing a release reserves the budget first (ledger.reserve), then counts in SQL over coded
columns only, adds noise once per table, reconciles every table to the period's total, applies the
display rule, and stores the result. Nothing is ever recomputed.
"""

import json
import math
from datetime import date

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import Conflict

from casework import audit, clock
from casework.extensions import db
from casework.i18n import _l
from casework.models import Release
from casework.stats import contributors, ledger, privacy
from casework.stats.catalogue import CATALOGUE, first_case_rows, period_bounds, tally

#: What one contribution is, as the canonical (English) JSON record states it.
PRIVACY_UNIT = (
    "one person record with all its cases (records a coordinator judged the same person are joined into one), once per table, "
    "in the period of the record's first intake, fixed by the first release that counts it"
)


def rounded(epsilon: float) -> float:
    """An epsilon as every export prints it: to the thousandth, which is how it was chosen."""
    return round(epsilon, 3)


class ReleaseRefused(Exception):
    """The release cannot be requested or made; the message is translated and safe to show."""


def closed_periods(today: date | None = None, back: int = 12) -> list[str]:
    """The last `back` quarters that have ended, newest first."""
    today = today or clock.today()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    periods = []
    for _ in range(back):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        periods.append(f"{year}Q{quarter}")
    return periods


def english(text) -> str:
    with force_locale("en"):
        return str(text)


class ReleaseConflict(Conflict):
    """Someone else requested or released the same period a moment earlier and the unique rows won:
    a 409, so the request's transaction is rolled back by the request wrapper like any refusal."""

    description = _l("This period has been requested or released already; a period is never recomputed.")


def request_release(period: str, actor) -> Release:
    try:
        _start, end = period_bounds(period)
    except ValueError:
        raise ReleaseRefused(_l("A period is written like 2026Q3.")) from None
    if end > clock.today():
        raise ReleaseRefused(_l("Only a period that has ended can be released."))
    if db.session.scalar(select(Release).where(Release.period == period)) is not None:
        raise ReleaseRefused(_l("This period has been requested or released already; a period is never recomputed."))
    release = Release(period=period, requested_by_id=actor.id if actor else None)
    db.session.add(release)
    try:
        db.session.flush()
    except IntegrityError:
        raise ReleaseConflict from None
    audit.record("release_requested", actor=actor, detail=period)
    return release


def epsilon_per_measurement() -> float:
    """The epsilon of each table's own noise (the total's, and each other table's cells').

    A table other than the total is reconciled to the noisy total, so what it publishes rests on two
    noisy measurements and costs twice this: that true cost must fit the per-table cap. The period
    pays for each measurement once. Rounded down to thousandths, so the epsilon printed is the one
    spent.
    """
    caps = ledger.caps()
    return math.floor(min(caps["table"] / 2, caps["period"] / len(CATALOGUE)) * 1000 + 1e-9) / 1000


def table_costs(epsilon: float) -> tuple[dict[str, float], dict[str, float]]:
    """Each table's own measurement, and what it borrows from the total's (reconciliation)."""
    own = {table.id: privacy.privacy_cost(epsilon) for table in CATALOGUE}
    return own, {table.id: own["total"] for table in CATALOGUE if table.id != "total"}


def publish(release: Release, actor) -> Release:
    """Approve and compute: budget first, then data, once. The approver is another person than the
    requester, so that no one admin decides alone to spend the privacy budget (the command line,
    with no actor, is the server operator's)."""
    if release.status == "published":
        raise ReleaseRefused(_l("This release is published already; a period is never recomputed."))
    if actor is not None and release.requested_by_id == actor.id:
        raise ReleaseRefused(_l("You requested this release: another administrator approves it."))
    epsilon = epsilon_per_measurement()
    if epsilon <= 0:
        raise ledger.BudgetRefused(_l("The privacy budget's caps are too small for a release."))
    costs, borrowed = table_costs(epsilon)
    try:
        ledger.reserve(release.period, costs, release.id, borrowed=borrowed)
    except IntegrityError:
        raise ReleaseConflict from None
    rows = first_case_rows(release.period)
    decided = contributors.plan(release.period, {row[0] for row in rows})
    counts = tally(rows, decided.counted)
    contributors.fix(decided)
    noisy = {table.id: privacy.add_noise(counts[table.id], epsilon) for table in CATALOGUE}
    total = max(noisy["total"][0], 0)
    tables, internal = [], {}
    for table in CATALOGUE:
        reconciled = [total] if table.id == "total" else privacy.reconcile(noisy[table.id], total)
        internal[table.id] = {"reconciled": reconciled, "total": total}
        tables.append(
            {
                "id": table.id,
                "epsilon": rounded(costs[table.id] + borrowed.get(table.id, 0.0)),
                **({"epsilon_of_the_total": rounded(borrowed[table.id])} if table.id in borrowed else {}),
                "cells": [
                    {"category": category, "value": privacy.display(value)}
                    for category, value in zip(table.categories, reconciled, strict=True)
                ],
                "total": privacy.display(total),
            }
        )
    release.released_on = clock.today()
    release.content = json.dumps(
        {
            "period": release.period,
            "released_on": release.released_on.isoformat(),
            "epsilon_for_the_period": rounded(sum(costs.values())),
            "epsilon_of_a_table": "its own noise and, for a table other than the total, the total's, to which its cells are reconciled",
            "display_rule": english(privacy.DISPLAY_RULE),  # the JSON file is the canonical, English record
            "privacy_unit": PRIVACY_UNIT,
            "tables": tables,
        },
        ensure_ascii=False,
        indent=2,
    )
    release.internal = json.dumps(internal)
    release.status, release.approved_by_id = "published", actor.id if actor else None
    audit.record("release_published", actor=actor, detail=release.period)
    current_app.logger.info("Statistics release %s published", release.period)
    return release
