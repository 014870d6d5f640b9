"""A person's access export (S6): everything stored about them, as JSON plus their documents, in one
zip archive. It is the only export that contains personal data, and it is for that person."""

import io
import json
import zipfile
from datetime import date, datetime

from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, Consent, Document, Note, Person, Referral
from casework.models.encrypted import encrypted_attributes
from casework.people.documents import read_document


def _plain(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _row(record, columns=()) -> dict:
    values = {name: _plain(getattr(record, name)) for name in columns}
    values |= {name: _plain(getattr(record, name)) for name in encrypted_attributes(type(record))}
    return values


PERSON_COLUMNS = ("id", "sex", "citizenship", "languages", "created_at")
CASE_COLUMNS = (
    "id", "status", "outcome", "created_at", "closed_at", "location", "military_situation", "rank_group",
    "reserve_category", "specialty_class", "fitness_category", "profession_class", "deferral", "summons_type",
    "summons_purpose", "exit_ban", "action", "written_evidence", "dutch_status", "visa_limited_validity", "research_permit", "needs",
)  # fmt: skip


def access_export(person: Person) -> io.BytesIO:
    cases = db.session.scalars(select(Case).where(Case.person_id == person.id).order_by(Case.created_at)).all()
    case_ids = [case.id for case in cases]
    record = {
        "person": _row(person, PERSON_COLUMNS),
        "consents": [
            {
                "recorded_at": _plain(c.recorded_at), "store": c.store, "contact": c.contact, "method": c.method,
                "partners": [p.name for p in c.partners], "expires_on": _plain(c.expires_on), "withdrawn_at": _plain(c.withdrawn_at),
            }  # fmt: skip
            for c in db.session.scalars(select(Consent).where(Consent.person_id == person.id))
        ],
        "cases": [_row(case, CASE_COLUMNS) for case in cases],
        "notes": [_row(n, ("case_id", "created_at", "corrects_id")) for n in db.session.scalars(select(Note).where(Note.case_id.in_(case_ids)))],
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
            record["documents"].append({"file": stored_as, "original_name": document.original_name, "created_at": _plain(document.created_at)})
            bundle.writestr(stored_as, read_document(document))
        bundle.writestr("record.json", json.dumps(record, ensure_ascii=False, indent=2))
    archive.seek(0)
    return archive
