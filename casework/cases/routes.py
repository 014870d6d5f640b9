from datetime import date, timedelta
from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import func, select

from casework import audit, bounds, choices
from casework.admin.forms import ActionForm
from casework.cases import bp, operations
from casework.cases.exports import access_export
from casework.cases.forms import (
    AssignForm,
    DocumentForm,
    EditForm,
    IntakeForm,
    NoteForm,
    ReferralForm,
    SearchForm,
    StatusForm,
    TagDecisionForm,
)
from casework.extensions import db
from casework.i18n import _
from casework.models import AuditEvent, Case, CaseTag, Deadline, Document, Note, Partner, Referral, Role, User
from casework.models.user import utcnow
from casework.people.documents import DocumentRefused, read_document, store_document
from casework.people.search import find_people
from casework.rules import engine, tagging
from casework.web import keep_refusal

PAGE_SIZE = 25
RULE_ORDER = {rule.id: number for number, rule in enumerate(engine.rules())}


def case_or_404(case_id: str) -> Case:
    """The case, if this user may see it; otherwise 404, never 403, so its existence is not revealed (S14)."""
    case = db.session.scalar(operations.visible_to(current_user).where(Case.id == case_id))
    if case is None:
        abort(404)
    return case


def coordinators_only() -> None:
    if current_user.role_name != "coordinator":
        abort(404)


def _partners():
    return db.session.scalars(select(Partner).where(Partner.active).order_by(Partner.name)).all()


def _volunteers():
    return db.session.scalars(
        select(User).join(Role, User.role_id == Role.id).where(Role.name == "volunteer", User.active).order_by(User.email)
    ).all()


def _throttle_case_views() -> None:
    """A volunteer opening cases faster than CASEWORK_VOLUNTEER_VIEWS_PER_HOUR is slowed down and
    flagged to coordinators: the signature of an insider copying data."""
    if current_user.role_name != "volunteer":
        return
    limit = current_app.config["CASEWORK_VOLUNTEER_VIEWS_PER_HOUR"]
    since = utcnow() - timedelta(hours=1)
    opened = db.session.scalar(
        select(func.count()).where(AuditEvent.actor_id == current_user.id, AuditEvent.action == "case_viewed", AuditEvent.at >= since)
    )
    if opened >= limit:
        audit.record("case_views_throttled", detail=str(opened))
        db.session.commit()  # the flag must outlive the refusal that follows
        abort(429)


# Lists -------------------------------------------------------------------------------------


@bp.get("/")
def index():
    filters = operations.list_filters(request.args, current_user)
    page = db.paginate(operations.case_list(current_user, filters), page=bounds.page_number(request.args), per_page=PAGE_SIZE, error_out=False)
    audit.record("case_list_viewed", detail=str(len(page.items)))
    volunteers = _volunteers() if current_user.role_name == "coordinator" else []
    return render_template("cases/index.html", page=page, volunteers=volunteers, filters=filters)


@bp.get("/unassigned")
def unassigned():
    coordinators_only()
    cases = db.session.scalars(
        select(Case).where(Case.assignee_id.is_(None), Case.status.in_(choices.OPEN_STATUSES)).order_by(Case.created_at)
    ).all()
    audit.record("case_list_viewed", detail=str(len(cases)))
    return render_template("cases/unassigned.html", cases=cases, assign_form=AssignForm(), volunteers=_volunteers())


@bp.get("/missing")
def missing():
    """Cases where missing information keeps the rules from deciding on a proposal."""
    coordinators_only()
    blocked = select(CaseTag.case_id).where(CaseTag.needs != "", CaseTag.decision.is_(None))
    cases = db.session.scalars(
        select(Case).where(Case.id.in_(blocked), Case.status.in_(choices.OPEN_STATUSES)).order_by(Case.created_at)
    ).all()
    audit.record("case_list_viewed", detail=str(len(cases)))
    return render_template("cases/missing.html", cases=cases)


@bp.get("/workload")
def workload():
    coordinators_only()
    return render_template("cases/workload.html", rows=operations.workload())


@bp.get("/due")
def due():
    days = operations.window_days(request.args.get("days", type=int)) or current_app.config["CASEWORK_WARNING_DAYS"]
    horizon = date.today() + timedelta(days=days)
    visible = operations.visible_to(current_user).where(Case.status.in_(choices.OPEN_STATUSES)).with_only_columns(Case.id)
    rows = db.session.execute(
        select(Deadline, Case).join(Case, Deadline.case_id == Case.id)
        .where(Deadline.case_id.in_(visible), Deadline.due_on <= horizon, Deadline.due_on >= date.today() - timedelta(days=90))
        .order_by(Deadline.due_on)
    ).all()  # fmt: skip
    audit.record("deadlines_viewed", detail=str(len(rows)))
    return render_template("cases/due.html", rows=rows, days=days, today=date.today())


# Intake ------------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = IntakeForm()
    form.consent_partners.choices = [(partner.id, partner.name) for partner in _partners()]
    if not form.validate_on_submit():
        return render_template("cases/intake.html", form=form, matches=None)
    data = form.data
    matches = operations.duplicates_for(data)
    if current_user.role_name == "coordinator" and matches:
        choice = request.form.get("duplicate_choice", "")
        if not choice:
            audit.record("duplicates_shown", detail=str(len(matches)))
            return render_template("cases/intake.html", form=form, matches=matches)
        existing = next((match.person for match in matches if match.person.id == choice), None)
        if choice != "new" and existing is None:
            abort(400)
        case = operations.create_case(data, current_user, existing_person=existing)
    else:
        case = operations.create_case(data, current_user, flag_duplicate=bool(matches))
        if matches:
            flash(_("A possible match with an existing record was found. A coordinator will check it."), "info")
    flash(_("The case was saved."), "success")
    return redirect(url_for("cases.view", case_id=case.id))


# One case ----------------------------------------------------------------------------------


def _case_page(case: Case, **forms):
    notes = db.session.scalars(select(Note).where(Note.case_id == case.id).order_by(Note.created_at)).all()
    note_form = forms.get("note_form") or NoteForm()
    note_form.corrects.choices = [("", _("— none —"))] + [(note.id, note.created_at.strftime("%Y-%m-%d %H:%M")) for note in notes]
    assign_form = forms.get("assign_form") or AssignForm(assignee=case.assignee_id)
    assign_form.assignee.choices = [(user.id, user.email) for user in _volunteers()]
    referral_form = forms.get("referral_form") or ReferralForm()
    consent = operations.consent_in_force(case.person)
    referral_form.partner.choices = [(p.id, p.name) for p in (consent.partners if consent else []) if p.active]
    return render_template(
        "cases/view.html",
        case=case,
        person=case.person,
        consent=consent,
        notes=notes,
        documents=db.session.scalars(select(Document).where(Document.case_id == case.id).order_by(Document.created_at)).all(),
        referrals=db.session.scalars(select(Referral).where(Referral.case_id == case.id).order_by(Referral.referred_on)).all(),
        deadlines=db.session.scalars(select(Deadline).where(Deadline.case_id == case.id).order_by(Deadline.due_on)).all(),
        other_cases=db.session.scalars(operations.visible_to(current_user).where(Case.person_id == case.person_id, Case.id != case.id)).all(),
        note_form=note_form,
        document_form=forms.get("document_form") or DocumentForm(),
        status_form=forms.get("status_form") or StatusForm(status=case.status, outcome=case.outcome or ""),
        assign_form=assign_form,
        referral_form=referral_form,
        action_form=ActionForm(),
        tags=sorted(db.session.scalars(select(CaseTag).where(CaseTag.case_id == case.id)), key=lambda tag: RULE_ORDER.get(tag.rule_id, 99)),
        tag_form=forms.get("tag_form") or TagDecisionForm(),
        tag_rule=forms.get("tag_rule"),
        today=date.today(),
    )


def _refused(case: Case, why: str, **forms):
    """The case page again with the refused form's errors: nothing of the refused change is kept,
    but the view is audited like any other (S15), and counts towards the volunteer's rate."""
    keep_refusal()
    _throttle_case_views()
    audit.record("case_viewed", case=case, detail=why)
    return _case_page(case, **forms), 400


def writable_case_or_404(case_id: str) -> Case:
    """A case that can take new data: not one whose person was erased (there is no key to encrypt with)."""
    case = case_or_404(case_id)
    if case.person.erased:
        abort(409)
    return case


@bp.get("/<case_id>")
def view(case_id: str):
    case = case_or_404(case_id)
    _throttle_case_views()
    audit.record("case_viewed", case=case)
    return _case_page(case)


@bp.route("/<case_id>/edit", methods=["GET", "POST"])
def edit(case_id: str):
    case = writable_case_or_404(case_id)
    person = case.person
    if request.method == "GET":
        values = {name: getattr(person, name) for name in operations.PERSON_FIELDS}
        values |= {name: getattr(case, name) for name in operations.CASE_FIELDS}
        form = EditForm(data={**values, "needs": case.need_codes, "version": case.version})
        audit.record("case_viewed", case=case, detail="edit")
        return render_template("cases/edit.html", form=form, case=case)
    form = EditForm()
    if form.validate_on_submit():
        try:
            operations.update_case(case, form.data, form.version.data, current_user)
        except operations.StaleForm as refusal:
            form.form_errors.append(str(refusal))
            form.version.data = case.version
        else:
            flash(_("The case was saved."), "success")
            return redirect(url_for("cases.view", case_id=case.id))
    return render_template("cases/edit.html", form=form, case=case), 409 if form.form_errors else 200


@bp.post("/<case_id>/notes")
def add_note(case_id: str):
    case = writable_case_or_404(case_id)
    form = NoteForm()
    form.corrects.choices = [("", "")] + [(note_id, note_id) for note_id in db.session.scalars(select(Note.id).where(Note.case_id == case.id))]
    if form.validate_on_submit():
        operations.add_note(case, form.body.data, current_user, form.corrects.data or None)
        flash(_("The note was added."), "success")
        return redirect(url_for("cases.view", case_id=case.id, _anchor="notes"))
    return _refused(case, "note refused", note_form=form)


@bp.post("/<case_id>/documents")
def upload(case_id: str):
    case = writable_case_or_404(case_id)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            document = store_document(case.person, form.upload.data.filename or "document", form.upload.data.read())
        except DocumentRefused as refusal:
            form.upload.errors.append(str(refusal))
        else:
            document.case_id, document.uploaded_by_id = case.id, current_user.id
            audit.record("document_uploaded", case=case)
            flash(_("The document was stored, encrypted."), "success")
            return redirect(url_for("cases.view", case_id=case.id, _anchor="documents"))
    return _refused(case, "upload refused", document_form=form)


EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


@bp.get("/<case_id>/documents/<document_id>")
def download(case_id: str, document_id: str):
    case = case_or_404(case_id)
    document = db.session.scalar(select(Document).where(Document.id == document_id, Document.case_id == case.id))
    if document is None:
        abort(404)
    content = read_document(document)
    audit.record("document_downloaded", case=case, detail=document.id[:8])
    return send_file(
        BytesIO(content), mimetype=document.content_type, as_attachment=True,
        download_name=f"document-{document.id[:8]}.{EXTENSIONS[document.content_type]}",
    )  # fmt: skip


@bp.post("/<case_id>/status")
def change_status(case_id: str):
    case = case_or_404(case_id)
    form = StatusForm()
    if form.validate_on_submit():
        operations.change_status(case, form.status.data, form.outcome.data or None, current_user)
        flash(_("The status was changed."), "success")
        return redirect(url_for("cases.view", case_id=case.id))
    return _refused(case, "status refused", status_form=form)


@bp.post("/<case_id>/assign")
def assign(case_id: str):
    coordinators_only()
    case = case_or_404(case_id)
    form = AssignForm()
    form.assignee.choices = [(user.id, user.email) for user in _volunteers()]
    if form.validate_on_submit():
        operations.assign(case, db.session.get(User, form.assignee.data), current_user)
        flash(_("The case was assigned."), "success")
        back = url_for("cases.unassigned") if request.form.get("back") == "unassigned" else url_for("cases.view", case_id=case.id)
        return redirect(back)
    return _refused(case, "assign refused", assign_form=form)


@bp.post("/<case_id>/referrals")
def refer(case_id: str):
    coordinators_only()
    case = writable_case_or_404(case_id)
    form = ReferralForm()
    form.partner.choices = [(p.id, p.name) for p in _partners()]
    if form.validate_on_submit():
        try:
            operations.refer(case, db.session.get(Partner, form.partner.data), form.purpose.data, current_user)
        except operations.CaseRefused as refusal:
            form.partner.errors.append(str(refusal))
        else:
            flash(_("The referral was recorded."), "success")
            return redirect(url_for("cases.view", case_id=case.id, _anchor="referrals"))
    return _refused(case, "referral refused", referral_form=form)


@bp.post("/<case_id>/tags/<rule_id>")
def decide_tag(case_id: str, rule_id: str):
    case = writable_case_or_404(case_id)
    if rule_id not in engine.rules_by_id():
        abort(404)
    form = TagDecisionForm()
    if form.validate_on_submit():
        tagging.decide(case, rule_id, form.decision.data, form.reason.data, current_user)
        flash(_("Your decision on %(rule)s was recorded.", rule=rule_id), "success")
        return redirect(url_for("cases.view", case_id=case.id, _anchor="proposals"))
    return _refused(case, "tag refused", tag_form=form, tag_rule=rule_id)


@bp.post("/<case_id>/consent/withdraw")
def withdraw_consent(case_id: str):
    case = case_or_404(case_id)
    if ActionForm().validate_on_submit():
        operations.withdraw_consent(case, current_user)
        flash(_("Consent was recorded as withdrawn. Erase the person's data if they asked for it."), "success")
    return redirect(url_for("cases.view", case_id=case.id))


# Duplicates --------------------------------------------------------------------------------


@bp.get("/duplicates")
def duplicates():
    coordinators_only()
    cases = db.session.scalars(select(Case).where(Case.possible_duplicate).order_by(Case.created_at)).all()
    audit.record("case_list_viewed", detail=str(len(cases)))
    return render_template("cases/duplicates.html", cases=cases)


@bp.route("/<case_id>/duplicate", methods=["GET", "POST"])
def duplicate(case_id: str):
    coordinators_only()
    case = case_or_404(case_id)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            operations.resolve_duplicate(case, request.form.get("choice", ""), current_user)
        except operations.CaseRefused as refusal:
            flash(str(refusal), "error")
        else:
            flash(_("The possible duplicate was resolved."), "success")
            return redirect(url_for("cases.view", case_id=case.id))
    matches = operations.duplicates_of_case(case)
    audit.record("duplicates_shown", case=case, detail=str(len(matches)))
    return render_template("cases/duplicate.html", case=case, matches=matches, form=form)


# Search ------------------------------------------------------------------------------------


@bp.route("/search", methods=["GET", "POST"])
def search():
    """POST only for the terms themselves, so that they never appear in a URL or a server log."""
    form = SearchForm()
    results = None
    if form.validate_on_submit():
        value, field = form.value.data, form.field.data
        criteria = {"name": {"surname": value, "given_names": form.given_names.data, "birth_year": form.birth_year.data}}.get(field, {field: value})
        people = {match.person.id for match in find_people(**criteria)}
        results = db.session.scalars(operations.visible_to(current_user).where(Case.person_id.in_(people)).order_by(Case.created_at)).all() if people else []
        audit.record("case_search", detail=f"{field}:{len(results)}")
    return render_template("cases/search.html", form=form, results=results)


# Subject rights ----------------------------------------------------------------------------


@bp.post("/<case_id>/export")
def export(case_id: str):
    coordinators_only()
    case = case_or_404(case_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    archive = access_export(case.person)
    audit.record("person_exported", case=case)
    return send_file(archive, mimetype="application/zip", as_attachment=True, download_name=f"access-export-{case.person.id[:8]}.zip")


@bp.post("/<case_id>/erase")
def erase(case_id: str):
    coordinators_only()
    case = case_or_404(case_id)
    if not ActionForm().validate_on_submit() or request.form.get("confirm") != "erase":
        flash(_("Tick the box to confirm the erasure."), "error")
        return redirect(url_for("cases.view", case_id=case.id))
    operations.erase(case, current_user)
    flash(_("The person's data was erased. The case's coded facts remain for statistics."), "success")
    return redirect(url_for("cases.index"))
