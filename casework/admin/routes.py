from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from casework import clock, jobs
from casework.admin import operations
from casework.admin.forms import BaselineForm, InviteForm, PartnerForm, RoleForm
from casework.extensions import db
from casework.forms import ActionForm
from casework.i18n import JOB_LABELS, JOB_STATE_LABELS, _, format_date
from casework.models import Partner, PolicyBaseline, User
from casework.permissions import require
from casework.rules import engine, tagging


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@require("accounts.manage")
def users():
    accounts = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=accounts)


@require("accounts.manage")
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user = operations.invite_user(form.email.data, form.role.data, current_user)
        except operations.AdminError as refusal:
            form.email.errors.append(str(refusal))
        else:
            return render_template("admin/setup_link.html", user=user, link=operations.setup_link(user))
    return render_template("admin/invite.html", form=form)


@require("accounts.manage")
def user(user_id: int):
    account = _user_or_404(user_id)
    return render_template("admin/user.html", user=account, role_form=RoleForm(role=account.role_name), action_form=ActionForm())


def _apply(user_id: int, change, form_class=ActionForm, success=None):
    """Run one admin change from a POSTed form and go back to the account page with the outcome."""
    account = _user_or_404(user_id)
    form = form_class()
    if form.validate_on_submit():
        try:
            change(account, form)
        except operations.AdminError as refusal:
            flash(str(refusal), "error")
        else:
            flash(success, "success")
    else:
        flash(_("The form could not be accepted. Reload the page and try again."), "error")
    return redirect(url_for("admin.user", user_id=account.id))


@require("accounts.manage")
def change_role(user_id: int):
    return _apply(
        user_id,
        lambda account, form: operations.change_role(account, form.role.data, current_user),
        RoleForm,
        _("The role was changed. The account's sessions have ended."),
    )


@require("accounts.manage")
def deactivate(user_id: int):
    return _apply(
        user_id,
        lambda account, _form: operations.deactivate(account, current_user),
        success=_("The account was deactivated and its sessions have ended."),
    )


@require("accounts.manage")
def reactivate(user_id: int):
    return _apply(
        user_id,
        lambda account, _form: operations.reactivate(account, current_user),
        success=_("The account was reactivated."),
    )


@require("accounts.manage")
def reset_second_factor(user_id: int):
    return _apply(
        user_id,
        lambda account, _form: operations.reset_second_factor(account, current_user),
        success=_("The second factor was reset. The user enrols a new one at their next sign-in."),
    )


@require("accounts.manage")
def setup_link(user_id: int):
    account = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        flash(_("The form could not be accepted. Reload the page and try again."), "error")
        return redirect(url_for("admin.user", user_id=account.id))
    link = operations.issue_setup_link(account, current_user)
    return render_template("admin/setup_link.html", user=account, link=link)


@require("partners.manage")
def partners():
    form = PartnerForm()
    if form.validate_on_submit():
        try:
            operations.add_partner(form.name.data, current_user)
        except operations.AdminError as refusal:
            form.name.errors.append(str(refusal))
        else:
            flash(_("The partner was added."), "success")
            return redirect(url_for("admin.partners"))
    listed = db.session.scalars(select(Partner).order_by(Partner.name)).all()
    return render_template("admin/partners.html", form=form, partners=listed)


@require("partners.manage")
def toggle_partner(partner_id: int):
    partner = db.get_or_404(Partner, partner_id)
    if ActionForm().validate_on_submit():
        operations.set_partner_active(partner, not partner.active, current_user)
    return redirect(url_for("admin.partners"))


@require("baselines.manage")
def baselines():
    """Policy baselines: the history, and a new one uploaded when Dutch or EU policy changes."""
    form = BaselineForm()
    if form.validate_on_submit():
        try:
            loaded = tagging.load_baseline(form.upload.data.read().decode("utf-8"), current_user)
        except (engine.RuleFileError, UnicodeDecodeError) as problem:
            form.upload.errors.append(_("The file was not accepted: %(problem)s", problem=str(problem)))
        else:
            flash(
                _(
                    "Baseline %(version)s was loaded; it takes effect from %(date)s. Re-evaluate the open cases to apply it.",
                    version=loaded.version,
                    date=format_date(loaded.effective_from),
                ),
                "success",
            )
            return redirect(url_for("admin.baselines"))
    uploaded = {row.version: row for row in db.session.scalars(select(PolicyBaseline))}
    return render_template(
        "admin/baselines.html",
        form=form,
        action_form=ActionForm(),
        history=list(reversed(tagging.baselines())),
        uploaded=uploaded,
        in_force=tagging.baseline_on(clock.today()).version,
    )


@require("baselines.manage")
def reevaluate():
    """Queued, not done here: at 100,000 cases it outlives any request."""
    if ActionForm().validate_on_submit():
        jobs.start("reevaluate", current_user)
        flash(_("Re-evaluation has started in the background; follow it on the jobs page."), "success")
    return redirect(url_for("admin.jobs_page"))


@require("baselines.manage")
def start_retention():
    if ActionForm().validate_on_submit():
        jobs.start("retention", current_user)
        flash(_("The retention run has started in the background; follow it on the jobs page."), "success")
    return redirect(url_for("admin.jobs_page"))


@require("baselines.manage")
def jobs_page():
    return render_template("admin/jobs.html", jobs=jobs.recent(), JOB_LABELS=JOB_LABELS, JOB_STATE_LABELS=JOB_STATE_LABELS)
