from flask import render_template, request

from casework import bounds
from casework.api.tokens import names_by_detail
from casework.extensions import db
from casework.i18n import FLAG_LABELS
from casework.permissions import require
from casework.trail.labels import action_label, detail_label
from casework.trail.operations import MISUSE_FLAGS, accounts_by_id, misuse_flags, recorded_actions, trail_filters, trail_query


@require("audit.read")
def index():
    filters = trail_filters(request.args)
    page = db.paginate(trail_query(filters), page=bounds.page_number(request.args), per_page=50, error_out=False)
    shown = {**filters, "from": filters["from"] or "", "to": filters["to"] or ""}
    return render_template(
        "trail/index.html",
        page=page,
        users=accounts_by_id(),
        tokens=names_by_detail(),
        actions=recorded_actions(),
        filters=shown,
        flags=MISUSE_FLAGS,
        action_label=action_label,
        detail_label=detail_label,
    )


@require("audit.read")
def flags():
    """Who set off a misuse flag, how often, first and last: the reviewers' starting point."""
    return render_template("trail/flags.html", summaries=misuse_flags(), FLAG_LABELS=FLAG_LABELS)
