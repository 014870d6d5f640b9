"""Everything the case page shows about one case, read in one place."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from casework.cases import consent_origin
from casework.cases.consent import Standing, standing
from casework.cases.due import case_deadlines
from casework.cases.operations import case_notes
from casework.extensions import db
from casework.models import Case, CaseTag, Document, Note, Referral, User
from casework.permissions import visible_cases
from casework.rules import engine

RULE_ORDER = {rule.id: number for number, rule in enumerate(engine.rules())}
#: The case page shows this many of the latest notes; the case's notes pages show all of them. A case
#: followed for years gathers hundreds, and each is decrypted and laid out: with 70 notes a case page
#: took 21 ms of CPU instead of 13.
LATEST_NOTES = 20


@dataclass
class CaseRecord:
    case: Case
    consent: Standing
    #: Where consent rows without a volunteer behind them came from (casework.cases.consent_origin).
    consent_origins: dict
    #: The latest notes, oldest of them first.
    notes: list[Note]
    #: Whether the case has notes older than those in `notes`.
    earlier_notes: bool
    documents: list[Document]
    referrals: list[Referral]
    deadlines: list
    other_cases: list[Case]
    tags: list[CaseTag]


def case_record(case: Case, reader: User) -> CaseRecord:
    """The case with its latest notes, documents, referrals, deadlines and tags, and the reader's view
    of the person's other cases (only those the reader may see)."""
    consent = standing(case.person)
    # One note more than shown says whether there are earlier ones, without counting them.
    latest = db.session.scalars(case_notes(case, newest_first=True).limit(LATEST_NOTES + 1)).all()
    return CaseRecord(
        case=case,
        consent=consent,
        consent_origins=consent_origin.origins(case.person, consent.history),
        notes=latest[:LATEST_NOTES][::-1],
        earlier_notes=len(latest) > LATEST_NOTES,
        documents=db.session.scalars(select(Document).where(Document.case_id == case.id).order_by(Document.created_at)).all(),
        # Each referral shows its partner and referrer: joined to the rows, not read one by one.
        referrals=db.session.scalars(
            select(Referral)
            .where(Referral.case_id == case.id)
            .order_by(Referral.referred_on)
            .options(joinedload(Referral.partner), joinedload(Referral.referred_by))
        ).all(),
        deadlines=case_deadlines(case),
        other_cases=db.session.scalars(visible_cases(reader).where(Case.person_id == case.person_id, Case.id != case.id)).all(),
        tags=sorted(
            db.session.scalars(select(CaseTag).where(CaseTag.case_id == case.id)), key=lambda tag: RULE_ORDER.get(tag.rule_id, 99)
        ),
    )
