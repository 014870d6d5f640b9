from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from casework.extensions import db
from casework.forms import ActionForm
from casework.i18n import _
from casework.models import Release
from casework.permissions import require
from casework.stats import exports, ledger, operations, privacy
from casework.stats.catalogue import CATALOGUE, LABELS, TABLES


def _no_ad_hoc_queries() -> None:
    """Only the fixed catalogue is served: any filter, dimension or cross asked for is refused (attack 9)."""
    if set(request.args) - {"lang"}:
        abort(400)


def _published(period: str) -> Release:
    release = db.session.scalar(select(Release).where(Release.period == period, Release.status == "published"))
    if release is None:
        abort(404)
    return release


@require("stats.read")
def index():
    _no_ad_hoc_queries()
    releases = db.session.scalars(select(Release).order_by(Release.period.desc())).all()
    taken = {release.period for release in releases}
    return render_template(
        "stats/index.html",
        releases=releases,
        periods=[p for p in operations.closed_periods() if p not in taken],
        action_form=ActionForm(),
        caps={name: privacy.epsilon_text(cap) for name, cap in ledger.caps().items()},
        lifetime=privacy.epsilon_text(ledger.spent_over_lifetime()),
    )


@require("stats.request")
def request_release():
    if ActionForm().validate_on_submit():
        try:
            operations.request_release(request.form.get("period", ""), current_user)
        except operations.ReleaseRefused as refusal:
            flash(str(refusal), "error")
        else:
            flash(_("The release was requested. An administrator approves it."), "success")
    return redirect(url_for("stats.index"))


@require("stats.approve")
def approve(period: str):
    release = db.session.scalar(select(Release).where(Release.period == period))
    if release is None:
        abort(404)
    if ActionForm().validate_on_submit():
        try:
            operations.publish(release, current_user)
        except (operations.ReleaseRefused, ledger.BudgetRefused) as refusal:
            flash(str(refusal), "error")
        else:
            flash(_("The release for %(period)s was computed and published.", period=period), "success")
    return redirect(url_for("stats.index"))


@require("stats.read")
def release(period: str):
    _no_ad_hoc_queries()
    published = _published(period)
    return render_template(
        "stats/release.html",
        release=published,
        data=exports.release_data(published),
        TABLES=TABLES,
        LABELS=LABELS,
        catalogue=CATALOGUE,
        DISPLAY_RULE=privacy.DISPLAY_RULE,
        epsilon_text=privacy.epsilon_text,
    )


@require("stats.read")
def release_csv(period: str):
    _no_ad_hoc_queries()
    body = exports.to_csv(_published(period))
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="casework-{period}.csv"'})


@require("stats.read")
def release_json(period: str):
    _no_ad_hoc_queries()
    body = _published(period).content.encode("utf-8")
    return Response(
        body, mimetype="application/json", headers={"Content-Disposition": f'attachment; filename="casework-{period}.json"'}
    )


@require("stats.read")
def chart(period: str, table_id: str):
    _no_ad_hoc_queries()
    if table_id not in TABLES:
        abort(400)
    # An SVG shown as an image runs no script; its own inline styles are all it needs.
    policy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    return Response(
        exports.chart_svg(_published(period), table_id), mimetype="image/svg+xml", headers={"Content-Security-Policy": policy}
    )
