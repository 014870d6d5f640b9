"""The case area's views: each parses its input, calls one operation, and renders. The rules are in
`operations`, `intake`, `queues`, `case_record` and `read_budget`; who may use each view is in
`casework.permissions`; the URLs are in `blueprint`."""

from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from casework import audit, bounds
from casework.cases import agenda, consent, display, next_questions, operations, queues, read_budget
from casework.cases.case_record import case_record
from casework.cases.due import due_items
from casework.cases.exports import access_export
from casework.cases.forms import (
    SECTION_FIELDS,
    AssignForm,
    ConsentDecisionForm,
    DocumentForm,
    EditForm,
    IntakeForm,
    NoteForm,
    ReferralForm,
    SearchForm,
    StatusForm,
    TagDecisionForm,
    consent_questions,
    relevant_sections,
    saved_values,
)
from casework.cases.intake import take_intake
from casework.clock import today
from casework.config import LOCALES
from casework.errors import render_error
from casework.extensions import db
from casework.forms import ActionForm
from casework.i18n import _, format_datetime
from casework.imports.operations import abandon_unfinished
from casework.models import Case, Document, Note, Partner, Referral, User
from casework.paging import bounded_page
from casework.people.documents import DocumentRefused, read_document
from casework.permissions import can, require, visible_cases
from casework.rules import engine, tagging
from casework.rules.facts import category_conflict
from casework.web import keep_refusal

PAGE_SIZE = 25


def case_or_404(case_id: str) -> Case:
    """The case, if this user may see it; otherwise 404, never 403, so its existence is not revealed (S14).
    Its assignee, whom every case page names, comes in the same statement."""
    case = db.session.scalar(visible_cases(current_user).where(Case.id == case_id).options(joinedload(Case.assignee)))
    if case is None:
        abort(404)
    return case


def writable_case_or_404(case_id: str) -> Case:
    """A case that can take new data: not one whose person was erased (there is no key to encrypt with)."""
    case = case_or_404(case_id)
    if case.person.erased:
        abort(409)
    return case


def read_case(case: Case, detail: str | None = None) -> None:
    """Every showing of a case's personal data: charged to the reader's budget (S22), audited (S15)."""
    read_budget.spend(current_user)
    audit.record("case_viewed", case=case, detail=detail)


def refuse_spent_budget(_error: read_budget.BudgetSpent):
    """Past the hourly budget: nothing the request wrote is kept but the flag for coordinators."""
    keep_refusal()
    read_budget.flag_once(current_user)
    return render_error(429)


def _volunteer_choices() -> list[tuple[int, str]]:
    return [(user.id, user.email) for user in queues.assignable_volunteers()]


# Lists -------------------------------------------------------------------------------------


@require("cases.work")
def index():
    filters = operations.list_filters(request.args, current_user)
    page = _list_page(operations.case_list(current_user, filters))
    assignees = queues.assignee_choices() if can(current_user, "cases.assign") else []
    return render_template("cases/index.html", page=page, assignees=assignees, filters=filters)


def _list_page(query):
    """One page of a list of cases, audited as a list view of the cases it shows and charged to the
    read budget as one read (S22): it names people, so past the budget it refuses like every other
    read, but a volunteer going back to their list between cases does not spend a read per row. The
    assignees the table names are joined to the page's rows, not read one by one as the template meets them."""
    read_budget.spend(current_user)
    page = bounded_page(query.options(joinedload(Case.assignee)), page=bounds.page_number(request.args), per_page=PAGE_SIZE)
    # No count in the row, as for the due list: with "Deadline within N days" it would date deadlines (S20).
    audit.record("case_list_viewed")
    return page


@require("cases.triage")
def unassigned():
    page = _list_page(queues.unassigned_cases())
    return render_template(
        "cases/unassigned.html", page=page, assign_form=AssignForm(), volunteers=queues.assignable_volunteers()
    )


@require("cases.triage")
def missing():
    """Cases where missing information keeps the rules from deciding on a proposal."""
    page = _list_page(queues.cases_missing_information())
    return render_template("cases/missing.html", page=page, questions=next_questions.questions_by_case(page.items))


@require("cases.triage")
def new_this_week():
    return render_template("cases/new_this_week.html", page=_list_page(queues.new_this_week()))


@require("cases.triage")
def workload():
    return render_template("cases/workload.html", rows=queues.workload())


@require("cases.work")
def due():
    """Each kind within its own horizon, unless the reader asks for one window for all."""
    days = operations.window_days(request.args.get("days", type=int))
    rows = due_items(current_user, days or agenda.longest_horizon(), request.args.get("page", 1, type=int))
    entries = agenda.agenda(rows.items, today(), days)
    read_budget.spend(current_user, len(entries.entries) + len(entries.folded))
    # No count in the row: the list shows each kind from a fixed horizon, so the day a volunteer's
    # count went up, read in a copy of the database, would date a deadline kept encrypted (S20).
    audit.record("deadlines_viewed")
    return render_template("cases/due.html", rows=rows, agenda=entries, days=days, today=today(), horizons=agenda.horizons())


# Intake ------------------------------------------------------------------------------------


@require("cases.work")
def help_page():
    """How to take a request, the consent wording, the letter's proposals and what may be promised:
    prose written in each of the app's languages rather than sentence by sentence in the catalogues."""
    return render_template("help/volunteers.html", locale=str(get_locale()) if str(get_locale()) in LOCALES else "en")


@require("cases.work")
def new():
    """The answer is the same whether or not the person is already known (S21): see `intake`."""
    form = IntakeForm()
    form.consent_partners.choices = [(partner.id, partner.name) for partner in queues.active_partners()]
    if not form.validate_on_submit():
        return render_template("cases/intake.html", form=form, matches=None)
    try:
        outcome = take_intake(form.data, current_user, request.form.get("duplicate_choice", ""))
    except operations.CaseRefused as refusal:
        form.form_errors.append(str(refusal))
        return render_template("cases/intake.html", form=form, matches=None), 400
    if outcome.case is None:
        return render_template("cases/intake.html", form=form, matches=outcome.matches)
    flash(_("The case was saved."), "success")
    return redirect(url_for("cases.view", case_id=outcome.case.id))


# One case ----------------------------------------------------------------------------------


def _case_page(case: Case, **forms):
    record = case_record(case, current_user)
    note_form = _note_form(record.notes, forms.get("note_form"))
    assign_form = forms.get("assign_form") or AssignForm(assignee=case.assignee_id)
    assign_form.assignee.choices = _volunteer_choices()
    referral_form = forms.get("referral_form") or ReferralForm()
    referral_form.partner.choices = [(p.id, p.name) for p in record.consent.shared_with if p.active]
    consent_form = forms.get("consent_form") or ConsentDecisionForm()
    consent_form.question.choices = consent_questions(queues.active_partners())
    return render_template(
        "cases/view.html",
        case=case,
        person=case.person,
        consent=record.consent,
        consent_origins=record.consent_origins,
        consent_form=consent_form,
        questions=next_questions.questions(case, record.tags),
        more_sections=relevant_sections(case),
        category_warning=category_conflict(case),
        notes=record.notes,
        earlier_notes=record.earlier_notes,
        documents=record.documents,
        referrals=record.referrals,
        deadlines=record.deadlines,
        other_cases=record.other_cases,
        tags=record.tags,
        note_form=note_form,
        document_form=forms.get("document_form") or DocumentForm(),
        status_form=forms.get("status_form") or StatusForm(status=case.status, outcome=case.outcome or ""),
        assign_form=assign_form,
        referral_form=referral_form,
        action_form=ActionForm(),
        tag_form=forms.get("tag_form") or TagDecisionForm(),
        tag_rule=forms.get("tag_rule"),
        today=today(),
    )


def _refused(case: Case, why: str, **forms):
    """The case page again with the refused form's errors: nothing of the refused change is kept,
    but the showing is audited and charged like any other (S15, S22)."""
    keep_refusal()
    read_case(case, why)
    return _case_page(case, **forms), 400


@require("cases.work")
def view(case_id: str):
    case = case_or_404(case_id)
    read_case(case)
    return _case_page(case)


@require("cases.work")
def edit(case_id: str):
    """The whole case, or one section of it (`?section=`) saved on its own: the other answers are
    taken from what is stored, and all are checked together."""
    case = writable_case_or_404(case_id)
    person = case.person
    section = request.args.get("section") if request.args.get("section") in SECTION_FIELDS else None
    if request.method == "GET":
        values = {name: getattr(person, name) for name in operations.PERSON_FIELDS}
        values |= {name: getattr(case, name) for name in operations.CASE_FIELDS}
        form = EditForm(data={**values, "needs": case.need_codes, "contact_kinds": case.contact_kinds, "version": case.version})
        read_case(case, "edit")
        return render_template("cases/edit.html", form=form, case=case, section=section)
    if section:
        posted = saved_values(case)
        for name in (*SECTION_FIELDS[section], "csrf_token", "version"):
            posted.setlist(name, request.form.getlist(name))
        form = EditForm(formdata=posted)
    else:
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
    return render_template("cases/edit.html", form=form, case=case, section=section), 409 if form.form_errors else 200


def _note_form(notes: list[Note], submitted: NoteForm | None = None) -> NoteForm:
    """The form for a new note, offering to correct the notes the page shows, each named by the time
    printed above it (the foundation's zone, the reader's language)."""
    form = submitted or NoteForm()
    form.corrects.choices = [("", _("— none —"))] + [(note.id, format_datetime(note.created_at)) for note in notes]
    return form


#: Notes on one of a case's notes pages.
NOTES_PAGE_SIZE = 50


@require("cases.work")
def notes(case_id: str):
    """All of a case's notes, oldest first, a page at a time: the case page shows only the latest."""
    case = case_or_404(case_id)
    read_case(case, "notes")
    page = bounded_page(operations.case_notes(case), page=bounds.page_number(request.args), per_page=NOTES_PAGE_SIZE)
    return render_template("cases/notes.html", case=case, person=case.person, page=page, note_form=_note_form(page.items))


@require("cases.work")
def add_note(case_id: str):
    case = writable_case_or_404(case_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            operations.add_note(case, form.body.data, current_user, form.corrects.data or None)
        except operations.CaseRefused as refusal:
            form.corrects.errors.append(str(refusal))
        else:
            flash(_("The note was added."), "success")
            return redirect(url_for("cases.view", case_id=case.id, _anchor="notes"))
    return _refused(case, "note refused", note_form=form)


@require("cases.work")
def upload(case_id: str):
    case = writable_case_or_404(case_id)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            operations.attach_document(case, form.upload.data.filename or "document", form.upload.data.read(), current_user)
        except DocumentRefused as refusal:
            form.upload.errors.append(str(refusal))
        else:
            flash(_("The document was stored, encrypted."), "success")
            return redirect(url_for("cases.view", case_id=case.id, _anchor="documents"))
    return _refused(case, "upload refused", document_form=form)


def upload_too_large(_error: RequestEntityTooLarge):
    """A request over the server's size limit never reaches a view. On the upload route the case page
    answers it, with the limit in the reader's language at the upload field; elsewhere, the error page."""
    case_id = (request.view_args or {}).get("case_id")
    if request.endpoint != "cases.upload" or not current_user.is_authenticated or not can(current_user, "cases.work"):
        return render_error(413)
    case = db.session.scalar(visible_cases(current_user).where(Case.id == case_id))
    if case is None or case.person.erased:
        return render_error(404)
    request.form, request.files = ImmutableMultiDict(), ImmutableMultiDict()  # the body is not read at all
    form = DocumentForm(formdata=None)
    limit = current_app.config["CASEWORK_DOCUMENT_MAX_BYTES"] // (1024 * 1024)
    form.upload.errors = [_("The file is larger than the limit of %(mb)d MB.", mb=limit)]
    page, _status = _refused(case, "upload refused", document_form=form)
    return page, 413


EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


@require("cases.work")
def download(case_id: str, document_id: str):
    case = case_or_404(case_id)
    document = db.session.scalar(select(Document).where(Document.id == document_id, Document.case_id == case.id))
    if document is None:
        abort(404)
    read_budget.spend(current_user)
    content = read_document(document)
    audit.record("document_downloaded", case=case, detail=document.id[:8])
    return send_file(
        BytesIO(content),
        mimetype=document.content_type,
        as_attachment=True,
        download_name=f"document-{document.id[:8]}.{EXTENSIONS[document.content_type]}",
    )


@require("cases.work")
def change_status(case_id: str):
    case = case_or_404(case_id)
    form = StatusForm()
    if form.validate_on_submit():
        operations.change_status(case, form.status.data, form.outcome.data or None, current_user)
        flash(_("The status was changed."), "success")
        return redirect(url_for("cases.view", case_id=case.id))
    return _refused(case, "status refused", status_form=form)


@require("cases.assign")
def assign(case_id: str):
    case = case_or_404(case_id)
    form = AssignForm()
    form.assignee.choices = _volunteer_choices()
    if form.validate_on_submit():
        operations.assign(case, db.session.get(User, form.assignee.data), current_user)
        flash(_("The case was assigned."), "success")
        back = url_for("cases.unassigned") if request.form.get("back") == "unassigned" else url_for("cases.view", case_id=case.id)
        return redirect(back)
    return _refused(case, "assign refused", assign_form=form)


@require("cases.refer")
def refer(case_id: str):
    case = writable_case_or_404(case_id)
    form = ReferralForm()
    form.partner.choices = [(p.id, p.name) for p in queues.active_partners()]
    if form.validate_on_submit():
        try:
            operations.refer(case, db.session.get(Partner, form.partner.data), form.purpose.data, current_user)
        except operations.CaseRefused as refusal:
            form.partner.errors.append(str(refusal))
        else:
            flash(_("The referral was recorded."), "success")
            return redirect(url_for("cases.view", case_id=case.id, _anchor="referrals"))
    return _refused(case, "referral refused", referral_form=form)


@require("cases.work")
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


@require("cases.refer")
def print_for_partner(case_id: str, referral_id: str):
    """A summary to hand the partner a person was referred to: what they consented to share, nothing
    more (no notes, documents, passport or address). Audited and charged like any read."""
    case = case_or_404(case_id)
    referral = db.session.scalar(select(Referral).where(Referral.id == referral_id, Referral.case_id == case.id))
    if referral is None or case.person.erased or not operations.may_share(case.person, referral.partner):
        abort(404)
    read_budget.spend(current_user)
    audit.record("case_printed", case=case, detail=str(referral.partner_id))
    return render_template(
        "cases/print.html",
        case=case,
        person=case.person,
        referral=referral,
        # The latest answer about contact, not the contact flag of the intake's row.
        facts=display.facts_for_partner(case, may_contact=consent.standing(case.person).may_contact),
        deadlines=case_record(case, current_user).deadlines,
    )


@require("cases.work")
def decide_consent(case_id: str):
    """The person gives, renews or withdraws one consent; the case page shows the result at once."""
    case = writable_case_or_404(case_id)
    form = ConsentDecisionForm()
    form.question.choices = consent_questions(queues.active_partners())
    if form.validate_on_submit():
        partner = db.session.get(Partner, form.partner_id) if form.partner_id else None
        try:
            consent.decide(
                case,
                form.scope,
                form.decision.data == "granted",
                form.method.data,
                current_user,
                partner=partner,
                expires_on=form.expires_on.data,
            )
        except consent.ConsentRefused as refusal:
            form.question.errors.append(str(refusal))
        else:
            flash(_("The person's decision on consent was recorded."), "success")
            return redirect(url_for("cases.view", case_id=case.id, _anchor="consent"))
    return _refused(case, "consent refused", consent_form=form)


@require("cases.work")
def withdraw_consent(case_id: str):
    case = case_or_404(case_id)
    if ActionForm().validate_on_submit():
        operations.withdraw_consent(case, current_user)
        flash(_("Consent was recorded as withdrawn. Erase the person's data if they asked for it."), "success")
    return redirect(url_for("cases.view", case_id=case.id))


# Duplicates --------------------------------------------------------------------------------


@require("cases.triage")
def duplicates():
    return render_template("cases/duplicates.html", page=_list_page(queues.possible_duplicates()))


@require("cases.resolve_duplicates")
def duplicate(case_id: str):
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


@require("cases.work")
def search():
    """POST only for the terms themselves, so that they never appear in a URL or a server log."""
    form = SearchForm()
    results, narrow = None, False
    if form.validate_on_submit():
        results, narrow = operations.search_cases(
            current_user, form.field.data, form.value.data, form.given_names.data, form.birth_year.data
        )
        read_budget.spend(current_user, len(results))
        audit.record("case_search", detail=f"{form.field.data}:{len(results)}")
    return render_template("cases/search.html", form=form, results=results, narrow=narrow, limit=operations.SEARCH_LIMIT)


# Subject rights ----------------------------------------------------------------------------


@require("cases.export")
def export(case_id: str):
    case = case_or_404(case_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    archive = access_export(case.person)  # past the daily limit: a 429 that keeps its flag
    audit.record("person_exported", case=case)
    return send_file(
        archive, mimetype="application/zip", as_attachment=True, download_name=f"access-export-{case.person.id[:8]}.zip"
    )


@require("cases.erase")
def erase(case_id: str):
    case = case_or_404(case_id)
    if not ActionForm().validate_on_submit() or request.form.get("confirm") != "erase":
        flash(_("Tick the box to confirm the erasure."), "error")
        return redirect(url_for("cases.view", case_id=case.id))
    operations.erase(case, current_user)
    # An unfinished import's file may hold the person too, and importing it would bring them back.
    abandon_unfinished(current_user)
    flash(_("The person's data was erased. The case's coded facts remain for statistics."), "success")
    return redirect(url_for("cases.index"))
