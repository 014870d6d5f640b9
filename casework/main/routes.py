from flask import render_template
from flask_login import current_user

from casework import audit
from casework.cases import agenda, read_budget
from casework.cases.due import due_items
from casework.clock import today
from casework.permissions import SIGNED_IN, can, require

#: How many of the most urgent deadlines the home page lists.
NEXT_SHOWN = 5


@require(SIGNED_IN)
def home():
    """Everyone's home page; someone who works cases sees their own next deadlines and counts (the
    most urgent page of cases: the same cases, in the same order, as the "Due soon" list), named,
    so charged to the read budget and audited as the due list is (S15, S22)."""
    summary = None
    if can(current_user, "cases.work"):
        now = today()
        upcoming = agenda.agenda(due_items(current_user, agenda.longest_horizon()).items, now)
        actionable = [entry for entry in upcoming.entries if entry.state != agenda.INFO]
        shown = sorted(actionable, key=lambda entry: entry.item.due_on)[:NEXT_SHOWN]
        read_budget.spend(current_user, len(shown))
        if shown:
            audit.record("deadlines_viewed")
        summary = {
            "next": shown,
            "overdue": upcoming.count(agenda.OVERDUE) + sum(count for count, _case in upcoming.folded.values()),
            "this_week": upcoming.count(agenda.DUE, within_days=7, today=now),
            "open_windows": upcoming.count(agenda.OPEN),
        }
    return render_template("main/home.html", role=current_user.role_name, summary=summary)
