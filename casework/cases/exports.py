"""A person's access export (S6): everything stored about them, as JSON plus their documents, in one
zip archive. It is the only export that contains personal data, and it is for that person.

Each coordinator may make a few a day (CASEWORK_EXPORTS_PER_DAY, S18). One more is refused, and the
refusal is flagged in the audit trail for the other coordinators to review: a stolen or planted
coordinator account cannot walk off with the records one archive after another. A limit was chosen
over a second approver because an access request is rare and urgent for the person asking, and
another coordinator is not always at hand; see docs/accounts-and-sign-in.md.
"""

import io
import json
import zipfile
from datetime import date, datetime, timedelta

from flask import current_app, has_request_context
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.exceptions import TooManyRequests

from casework import audit
from casework.cases import consent_origin
from casework.clock import utcnow
from casework.extensions import db
from casework.i18n import _l
from casework.models import AuditEvent, Case, Consent, Document, Note, Person, Referral
from casework.models.encrypted import encrypted_attributes
from casework.people.documents import read_document
from casework.web import keep_refusal


def _plain(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _row(record, columns=()) -> dict:
    values = {name: _plain(getattr(record, name)) for name in columns}
    values |= {name: _plain(getattr(record, name)) for name in encrypted_attributes(type(record))}
    return values


PERSON_COLUMNS = ("id", "sex", "citizenship", "languages", "no_contact_details", "created_at")
CASE_COLUMNS = (
    "id",
    "status",
    "outcome",
    "created_at",
    "closed_at",
    "location",
    "military_situation",
    "rank_group",
    "reserve_category",
    "specialty_class",
    "fitness_category",
    "profession_class",
    "deferral",
    "contact_kinds",
    "summons_purpose",
    "exit_ban",
    "action",
    "written_evidence",
    "dutch_status",
    "visa_limited_validity",
    "research_permit",
    "degree_country",
    "needs",
)


#: The audit action of an access export, and of a refusal past the daily limit (a misuse flag).
EXPORT_ACTION = "person_exported"
EXPORT_FLAG = "exports_limited"


class ExportRefused(TooManyRequests):
    """This coordinator made as many access exports as a day allows: a 429 whose description is
    translated and safe to show. The flag is already in the audit trail, and kept (`keep_refusal`)."""


def _refuse_past_daily_limit() -> None:
    if not (has_request_context() and current_user.is_authenticated):
        return  # the command line: the server operator, not a coordinator's account
    limit = current_app.config["CASEWORK_EXPORTS_PER_DAY"]
    made = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.actor_id == current_user.id,
            AuditEvent.action == EXPORT_ACTION,
            AuditEvent.at >= utcnow() - timedelta(days=1),
        )
    )
    if made >= limit:
        keep_refusal()
        audit.record(EXPORT_FLAG, detail=str(made))
        raise ExportRefused(
            _l(
                "You made %(count)s access exports in the last 24 hours, as many as a day allows. Another "
                "coordinator can make this one; the coordinators are told of this refusal.",
                count=made,
            )
        )


def _origin(origin) -> dict:
    """How a consent that no volunteer took down reached the foundation (casework.cases.consent_origin)."""
    if isinstance(origin, consent_origin.ThroughChannel):
        return {
            "through": {"channel": origin.token_name, "text_version": origin.text_version, "given_at": _plain(origin.given_at)}
        }
    if isinstance(origin, consent_origin.Imported):
        return {"imported_from": list(origin.sources)}
    return {}


def access_export(person: Person) -> io.BytesIO:
    """The archive; refused with `ExportRefused` past the coordinator's daily limit."""
    _refuse_past_daily_limit()
    cases = db.session.scalars(select(Case).where(Case.person_id == person.id).order_by(Case.created_at)).all()
    case_ids = [case.id for case in cases]
    consents = db.session.scalars(select(Consent).where(Consent.person_id == person.id).order_by(Consent.recorded_at)).all()
    origins = consent_origin.origins(person, consents)
    record = {
        "person": _row(person, PERSON_COLUMNS),
        "consents": [
            {
                "recorded_at": _plain(c.recorded_at),
                "about": c.scope or "all",
                "granted": c.granted,
                "store": c.store,
                "contact": c.contact,
                "method": c.method,
                "partners": [p.name for p in c.partners],
                "expires_on": _plain(c.expires_on),
                "withdrawn_at": _plain(c.withdrawn_at),
            }
            | _origin(origins.get(c.id))
            for c in consents
        ],
        "cases": [_row(case, CASE_COLUMNS) for case in cases],
        "notes": [
            _row(n, ("case_id", "created_at", "corrects_id"))
            for n in db.session.scalars(select(Note).where(Note.case_id.in_(case_ids)))
        ],
        "referrals": [
            _row(r, ("case_id", "referred_on")) | {"partner": r.partner.name}
            for r in db.session.scalars(select(Referral).where(Referral.case_id.in_(case_ids)))
        ],
        "documents": [],
    }
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for document in db.session.scalars(select(Document).where(Document.person_id == person.id)):
            stored_as = f"documents/{document.id}.{document.content_type.split('/')[1]}"
            record["documents"].append(
                {"file": stored_as, "original_name": document.original_name, "created_at": _plain(document.created_at)}
            )
            bundle.writestr(stored_as, read_document(document))
        bundle.writestr("record.json", json.dumps(record, ensure_ascii=False, indent=2))
    archive.seek(0)
    return archive
