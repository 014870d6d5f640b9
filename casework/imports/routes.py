"""The import steps as views: upload, columns, values, dry run and confirmation, progress. Each view
parses its input and calls the rules in `operations` and `importing`; the URLs are in `blueprint`."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict

from casework import audit, bounds, jobs
from casework.clock import utcnow
from casework.errors import render_error
from casework.extensions import db
from casework.forms import ActionForm
from casework.i18n import _
from casework.imports import importing, operations, sealing
from casework.imports.forms import ConfirmForm, UploadForm, mapping_form, values_form
from casework.imports.headers import fact_labels, suggest_columns
from casework.imports.sheets import SheetRefused
from casework.models.imports import ImportRun
from casework.paging import list_page
from casework.permissions import can, require
from casework.web import keep_refusal


def _run(run_id: str, *, live: bool = True) -> ImportRun:
    """The run, or 404; a run that is over has only its progress page left."""
    run = db.session.get(ImportRun, run_id)
    if run is None or (live and (run.over or run.state != "uploaded")):
        abort(404)
    return run


def _too_large() -> str:
    return _(
        "The file is larger than the limit of %(mb)d MB.", mb=current_app.config["CASEWORK_IMPORT_MAX_BYTES"] // (1024 * 1024)
    )


@require("cases.import")
def index():
    form = UploadForm()
    if form.validate_on_submit():
        content = form.upload.data.read(current_app.config["CASEWORK_IMPORT_MAX_BYTES"] + 1)
        if len(content) > current_app.config["CASEWORK_IMPORT_MAX_BYTES"]:
            form.upload.errors = [_too_large()]
        else:
            try:
                run, _sheet = operations.start_run(current_user, form.upload.data.filename or "", content)
            except SheetRefused as refusal:
                form.upload.errors = [str(refusal)]
            else:
                return redirect(url_for("imports.columns", run_id=run.id))
    status = 400 if form.errors else 200
    return render_template("imports/index.html", form=form, runs=operations.unfinished_runs()), status


def upload_too_large(_error):
    """A request over the server's own limit never reaches the view: answer with the upload page."""
    if request.endpoint != "imports.index" or not can(current_user, "cases.import"):
        return render_error(413)
    request.form, request.files = ImmutableMultiDict(), ImmutableMultiDict()  # the body is not read at all
    form = UploadForm(formdata=None)
    form.upload.errors = [_too_large()]
    return render_template("imports/index.html", form=form, runs=operations.unfinished_runs()), 413


def _start_check(run: ImportRun):
    """The dry run goes to the worker (a large sheet takes longer than a request may), in the reader's language."""
    sealing.set_report(run, None)
    run.report_locale = str(get_locale())
    jobs.start("import_check", current_user, subject=run.id)
    return redirect(url_for("imports.check", run_id=run.id))


@require("cases.import")
def columns(run_id: str):
    run = _run(run_id)
    sheet = operations.load_sheet(run)
    form = mapping_form(sheet.headers, operations.columns_of(run) or suggest_columns(sheet.headers))
    if form.validate_on_submit():
        operations.save_layout(run, sheet.headers, form.facts(), current_user)
        if importing.interpreter_for(run).unknown_values(sheet.rows):
            sealing.set_report(run, None)
            return redirect(url_for("imports.values", run_id=run.id))
        return _start_check(run)
    status = 400 if form.errors or form.form_errors else 200
    saved = run.layout is not None and request.method == "GET"
    return render_template("imports/columns.html", run=run, form=form, sheet=sheet, saved=saved), status


@require("cases.import")
def values(run_id: str):
    run = _run(run_id)
    if run.layout is None:
        return redirect(url_for("imports.columns", run_id=run.id))
    unknown = importing.interpreter_for(run).unknown_values(operations.load_sheet(run).rows)
    if not unknown:
        return redirect(url_for("imports.check", run_id=run.id))
    form, places = values_form(unknown)
    if form.validate_on_submit():
        mapped: dict[str, dict[str, str]] = {}
        for name, fact, value in places:
            if form[name].data:
                mapped.setdefault(fact, {})[value] = form[name].data
        operations.map_values(run.layout, mapped)
        return _start_check(run)
    return render_template("imports/values.html", run=run, form=form, places=places), 400 if form.errors else 200


@require("cases.import")
def start_check(run_id: str):
    run = _run(run_id)
    if run.layout is None or not ActionForm().validate_on_submit():
        abort(404)
    return _start_check(run)


#: Rows of the dry run's report per page.
REPORT_PAGE = 100


@require("cases.import")
def check(run_id: str):
    """The dry run's report once the check job has made it, and the confirmation that starts the import."""
    run = _run(run_id)
    if run.layout is None:
        return redirect(url_for("imports.columns", run_id=run.id))
    rows = sealing.report(run)
    form = ConfirmForm(source=sealing.source(run))
    if rows is None:
        job = jobs.latest_for(run.id, "import_check")
        checking = job is not None and job.state in ("queued", "running")
        return render_template("imports/checking.html", run=run, job=job if checking else None)
    if form.validate_on_submit():
        sealing.set_source(run, form.source.data.strip())
        run.vouched_by_id, run.vouched_at = current_user.id, utcnow()
        run.state = "importing"
        jobs.start("import", current_user, subject=run.id)
        return redirect(url_for("imports.progress", run_id=run.id))
    if form.errors:
        keep_refusal()  # the page shows the rows again: its audit row stays, nothing else
    counts = {outcome: sum(1 for row in rows if row["outcome"] == outcome) for outcome in ("new", "duplicate", "refused")}
    attention = request.args.get("show") == "attention"
    shown = [row for row in rows if row["outcome"] != "new"] if attention else rows
    page = list_page(shown, bounds.page_number(request.args), REPORT_PAGE)
    audit.record("import_checked", actor=current_user, detail=str(sum(1 for row in page.items if row["matches"])))
    return render_template("imports/check.html", run=run, form=form, page=page, counts=counts, attention=attention), (
        400 if form.errors else 200
    )


def resumable(run: ImportRun) -> bool:
    """Stopped half-way: interrupted, or its job ended without ending the run (a worker gone)."""
    job = jobs.latest_for(run.id, "import")
    return run.state == "interrupted" or (run.state == "importing" and job is not None and job.state in ("failed", "done"))


@require("cases.import")
def progress(run_id: str):
    run = _run(run_id, live=False)
    job = jobs.latest_for(run.id, "import")
    stopped = resumable(run)
    outcomes = importing.outcomes(run) if stopped or run.state == "done" else []
    return render_template("imports/progress.html", run=run, job=job, stopped=stopped, outcomes=outcomes, labels=fact_labels())


@require("cases.import")
def resume(run_id: str):
    run = db.session.get(ImportRun, run_id)
    if run is None or not resumable(run) or not ActionForm().validate_on_submit():
        abort(404)
    run.state = "importing"
    jobs.start("import", current_user, subject=run.id)
    return redirect(url_for("imports.progress", run_id=run.id))


@require("cases.import")
def abandon(run_id: str):
    run = db.session.get(ImportRun, run_id)
    if run is None or run.over or (run.state == "importing" and not resumable(run)) or not ActionForm().validate_on_submit():
        abort(404)
    operations.abandon(run, current_user)
    flash(_("The import was abandoned and its file deleted."), "success")
    return redirect(url_for("imports.index"))
