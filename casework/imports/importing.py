"""The dry run and the import itself, row by row with the intake's own rules.

The dry run writes nothing: for each row, what would be created, what fails and why, and whom it
looks like, among the people already recorded (the blind indexes, as the intake's duplicate check)
and among the sheet's earlier rows.

The import creates each valid row's case with `create_case`, exactly as the intake does (the person
encrypted, consent recorded, deadlines and tags computed, the audit row written), with consent
"imported, given earlier" recorded by the coordinator who vouches for it, and flags a case whose
person looks already recorded for the coordinators' duplicate queue. Each row's outcome is written
in the same transaction as its case, a batch per transaction, so a run cut short resumes after its
last committed batch and never creates a row's case twice.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import force_locale
from sqlalchemy import select

from casework import audit
from casework.batches import chunks, run_in_batches
from casework.cases.operations import create_case, duplicates_for, duplicates_of_case
from casework.extensions import db
from casework.imports import sealing
from casework.imports.operations import columns_of, end_run, load_sheet, resolver
from casework.imports.rows import CheckedRow, Interpreter, identities
from casework.models import Case, User
from casework.models.imports import ImportRow, ImportRun

#: Rows per transaction: an interruption loses at most this many rows' work, never half of one.
BATCH = 50
#: A check job moves its progress after this many rows.
PROGRESS_EVERY = 100
IMPORTED_CONSENT = {
    "consent_store": True,
    "consent_contact": False,
    "consent_partners": [],
    "consent_method": "imported",
    "consent_expires_on": None,
}


@dataclass
class RowReport:
    checked: CheckedRow
    #: (a case id of the person, what matched) for each person already recorded that the row resembles
    matches: list[tuple[str, list[str]]] = field(default_factory=list)
    #: earlier rows of the sheet that look like the same person
    same_as: list[int] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        if not self.checked.valid:
            return "refused"
        return "duplicate" if self.matches or self.same_as else "new"


def interpreter_for(run: ImportRun) -> Interpreter:
    return Interpreter(columns_of(run), resolver(run.layout))


def check_rows(run: ImportRun, progress: Callable[[int, int], None] | None = None) -> list[RowReport]:
    """What the import would do with each row; writes nothing."""
    interpreter, seen, reports = interpreter_for(run), {}, []
    rows = load_sheet(run).rows
    for row in rows:
        report = RowReport(interpreter.check(row))
        data = report.checked.data
        if report.checked.valid:
            for match in duplicates_for(data):
                first_case = db.session.scalar(select(Case.id).where(Case.person_id == match.person.id).order_by(Case.created_at))
                report.matches.append((first_case, match.matched_on))
        keys = identities(data)
        report.same_as = sorted({seen[key] for key in keys if key in seen})
        for key in keys:
            seen.setdefault(key, row.number)
        reports.append(report)
        if progress and len(reports) % PROGRESS_EVERY == 0:
            progress(len(reports), len(rows))
    return reports


def dry_run(run: ImportRun, actor: User) -> list[RowReport]:
    """The dry run shown at once (the command line), with the audit row of having looked."""
    reports = check_rows(run)
    audit.record("import_checked", actor=actor, detail=str(sum(1 for report in reports if report.matches)))
    return reports


def as_shown(report: RowReport) -> dict:
    """A row of the report as the check page shows it (kept sealed with the run between the job and the page)."""
    data = report.checked.data
    latin = " ".join(part for part in (data.get("surname_latin"), data.get("given_names_latin")) if part)
    cyrillic = " ".join(part for part in (data.get("surname_cyrillic"), data.get("given_names_cyrillic")) if part)
    return {
        "row": report.checked.number,
        "outcome": report.outcome,
        "name": f"{latin} ({cyrillic})"
        if latin and cyrillic and latin != cyrillic
        else latin or cyrillic or data.get("alias") or "",
        "problems": [
            [report.checked.labels.get(name, name), message]
            for name, messages in report.checked.problems.items()
            for message in messages
        ],
        "matches": [[case_id, matched_on] for case_id, matched_on in report.matches],
        "same_as": report.same_as,
    }


def check_run(run_id: str, progress: Callable[[int, int], None] | None = None) -> None:
    """The dry run as a background job: the report, in the language it was asked in, sealed with the run."""
    run = db.session.get(ImportRun, run_id)
    if run.over or run.state != "uploaded":
        return
    with force_locale(run.report_locale or "en"):
        rows = [as_shown(report) for report in check_rows(run, progress)]
    sealing.set_report(db.session.get(ImportRun, run_id), rows)
    db.session.commit()


def done_rows(run: ImportRun) -> set[int]:
    return set(db.session.scalars(select(ImportRow.row_number).where(ImportRow.run_id == run.id)))


def import_run(
    run_id: str,
    actor: User,
    *,
    batch: int | None = None,
    label: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Create the cases of every row not yet handled, committing a batch at a time; end the run.

    An error leaves the run "interrupted" (what was committed stays, and is skipped on the next
    call) and is raised again.
    """
    run = db.session.get(ImportRun, run_id)
    if run.over:
        return
    try:
        _import_rows(run, actor, batch or BATCH, label, progress)
    except BaseException:
        db.session.rollback()
        db.session.get(ImportRun, run_id).state = "interrupted"
        db.session.commit()
        raise
    run = db.session.get(ImportRun, run_id)
    end_run(run, "done")
    audit.record("cases_imported", actor=actor, detail=run.id)
    db.session.commit()


def _import_rows(run: ImportRun, actor: User, batch: int, label: str | None, progress) -> None:
    run_id, rows = run.id, load_sheet(run).rows
    handled = done_rows(run)
    pending = [row for row in rows if row.number not in handled]
    interpreter, source = interpreter_for(run), sealing.source(run)
    run.state = "importing"
    db.session.commit()

    def handle(row) -> None:
        checked = interpreter.check(row)
        if not checked.valid:
            problems = ",".join(sorted(checked.problems))
            db.session.add(ImportRow(run_id=run_id, row_number=row.number, state="refused", problems=problems))
            return
        case = create_case({**checked.data, **IMPORTED_CONSENT}, actor)
        case.possible_duplicate = bool(duplicates_of_case(case))
        db.session.add(ImportRow(case=case, run_id=run_id, row_number=row.number, state="created", source=source))

    already = len(handled)
    run_in_batches(
        chunks(pending, batch),
        handle,
        total=len(pending),
        label=label,
        progress=(lambda done: progress(already + done, len(rows))) if progress else None,
    )


def outcomes(run: ImportRun) -> list[ImportRow]:
    """What became of each handled row, in the sheet's order (no personal data: states and codes)."""
    return db.session.scalars(select(ImportRow).where(ImportRow.run_id == run.id).order_by(ImportRow.row_number)).all()
