"""The admin's pages for the JSON API's integration tokens: the list, a new token (its secret shown
once, on the answer to the form, never again), and revoking one."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from casework.admin.forms import TokenForm
from casework.api import tokens
from casework.extensions import db
from casework.forms import ActionForm
from casework.i18n import _
from casework.models import ApiToken
from casework.permissions import require


@require("tokens.manage")
def tokens_page():
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, secret = tokens.create(form.name.data, form.scope.data, current_user, form.expires_on.data)
        except tokens.TokenRefused as refusal:
            form.name.errors.append(str(refusal))
        else:
            return render_template("admin/token_created.html", token=token, secret=secret)
    return render_template(
        "admin/tokens.html", form=form, tokens=tokens.all_tokens(), usable=tokens.usable, action_form=ActionForm()
    )


@require("tokens.manage")
def revoke_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if not ActionForm().validate_on_submit():
        flash(_("The form could not be accepted. Reload the page and try again."), "error")
    else:
        try:
            tokens.revoke(token, current_user)
        except tokens.TokenRefused as refusal:
            flash(str(refusal), "error")
        else:
            flash(_("The token %(name)s was revoked; it stops working at its next request.", name=token.name), "success")
    return redirect(url_for("admin.tokens_page"))
