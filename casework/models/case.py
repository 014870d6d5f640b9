"""A case: one request for help by one person, with its coded facts, encrypted details and workflow.

Coded facts (choices.py) are plaintext so that coordinators can filter and statistics can count
without decrypting; dates, places, free text and anything else that could identify the person are
encrypted with the person's data key. docs/data-inventory.md lists every column.
"""

import json
from datetime import date, datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework import clock
from casework.clock import utcnow
from casework.extensions import db
from casework.models.encrypted import Encrypted, OwnedRecord, new_id
from casework.models.person import Person
from casework.models.user import User


class Partner(db.Model):
    """A partner organisation (lawyers, refugee support) that people can be referred to."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    active: Mapped[bool] = mapped_column(default=True)


consent_partners = Table(
    "consent_partners",
    db.metadata,
    Column("consent_id", ForeignKey("consents.id"), primary_key=True),
    Column("partner_id", ForeignKey("partners.id"), primary_key=True),
)


class Consent(db.Model):
    """One decision of the person's about their data, recorded with who, when, how and until when.

    The intake's row (no `scope`) answers everything at once: storing, being contacted, and sharing
    with each partner it names. A later row answers one question (`scope` "store", "contact" or
    "share" with its one partner) with `granted`. Rows are never changed but to mark them withdrawn,
    so the history stays; casework/cases/consent.py reads the latest answer to each question.
    """

    __tablename__ = "consents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), index=True)
    person: Mapped[Person] = relationship()
    scope: Mapped[str | None] = mapped_column(String(8))
    granted: Mapped[bool | None]
    store: Mapped[bool] = mapped_column(Boolean)
    contact: Mapped[bool] = mapped_column(Boolean, default=False)
    partners: Mapped[list[Partner]] = relationship(secondary=consent_partners)
    method: Mapped[str] = mapped_column(String(16))
    #: None when the person gave consent through an integration (api_consents says which and how).
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[User | None] = relationship()
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_on: Mapped[date | None]
    withdrawn_at: Mapped[datetime | None]


class Case(OwnedRecord, db.Model):
    __tablename__ = "cases"
    # A person's cases in intake order: finds a person's cases, and tells statistics in one index
    # step whether a case is the person's first.
    # A volunteer's cases by status: their open cases are read from this index alone (the assign
    # form's load, the volunteer's own list), without visiting their closed ones.
    __table_args__ = (
        Index("ix_cases_person_first", "person_id", "created_at", "id"),
        Index("ix_cases_assignee_status", "assignee_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"))
    person: Mapped[Person] = relationship(lazy="joined")
    status: Mapped[str] = mapped_column(String(16), default="new")
    outcome: Mapped[str | None] = mapped_column(String(16))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    #: None for a request that came in through an integration token (the audit row names the token).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None]
    #: Needs a coordinator's look because intake found a possible duplicate person.
    possible_duplicate: Mapped[bool] = mapped_column(default=False)
    #: Synthetic data made by `flask demo seed`; shown with a DEMO mark everywhere.
    is_demo: Mapped[bool] = mapped_column(default=False)
    #: Optimistic locking: a form saved against an older version is refused, never silently applied.
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: Every deadline the facts give (cases/deadlines.py), as JSON [[kind, "YYYY-MM-DD"], ...]. Encrypted:
    #: most are the person's own encrypted dates moved by a fixed step (S20).
    deadline_list = Encrypted()
    #: The only plaintext trace of the deadlines, for lists: `deadlines.band` of them as of
    #: `deadline_band_on`, the day of the last save or `deadlines refresh` (docs/data-inventory.md).
    deadline_band: Mapped[int | None]
    deadline_band_on: Mapped[date | None]

    location: Mapped[str | None] = mapped_column(String(16))
    military_situation: Mapped[str | None] = mapped_column(String(24))
    rank_group: Mapped[str | None] = mapped_column(String(24))
    #: As recorded; the rules derive the category from age and rank and flag a recorded one that
    #: disagrees (facts.category_conflict).
    reserve_category: Mapped[str | None] = mapped_column(String(8))
    specialty_class: Mapped[str | None] = mapped_column(String(16))
    fitness_category: Mapped[str | None] = mapped_column(String(8))
    profession_class: Mapped[str | None] = mapped_column(String(16))
    deferral: Mapped[str | None] = mapped_column(String(24))
    #: Contact from the military (choices.CONTACT_KINDS), codes separated by commas; None: not known.
    contact_kinds: Mapped[str | None] = mapped_column(String(200))
    summons_purpose: Mapped[str | None] = mapped_column(String(24))
    exit_ban: Mapped[str | None] = mapped_column(String(8))
    action: Mapped[str | None] = mapped_column(String(24))
    written_evidence: Mapped[str | None] = mapped_column(String(8))
    dutch_status: Mapped[str | None] = mapped_column(String(24))
    visa_limited_validity: Mapped[str | None] = mapped_column(String(8))
    #: For a researcher: holds the residence permit for research (the EU researchers' directive), which
    #: brings the orientation year; without it he must leave when his permit ends (rule R9).
    research_permit: Mapped[str | None] = mapped_column(String(8))
    #: Where the degree was obtained (choices.DEGREE_COUNTRIES): only a Dutch one brings the orientation year.
    degree_country: Mapped[str | None] = mapped_column(String(8))
    #: Age band at intake (statistics.md): coded, so statistics never need the date of birth.
    age_band: Mapped[str | None] = mapped_column(String(8))
    #: Needs, as codes separated by commas.
    needs: Mapped[str | None] = mapped_column(String(200))

    city = Encrypted()
    #: Since when the person has been in the country they are in now.
    present_country_since = Encrypted(date)
    deserted_on = Encrypted(date)
    specialty_code = Encrypted()
    deferral_until = Encrypted(date)
    summons_posted_on = Encrypted(date)
    summons_appear_on = Encrypted(date)
    exit_ban_on = Encrypted(date)
    visa_issuing_state = Encrypted()
    entry_on = Encrypted(date)
    days_used = Encrypted(int)
    permit_expires_on = Encrypted(date)
    degree_completed_on = Encrypted(date)
    asylum_applied_on = Encrypted(date)
    asylum_decided_on = Encrypted(date)
    narrative = Encrypted()

    __mapper_args__ = {"version_id_col": version}

    @property
    def crypto_person(self) -> Person:
        return self.person

    @classmethod
    def of_person(cls, person_id: str):
        return select(cls).where(cls.person_id == person_id)

    @property
    def need_codes(self) -> list[str]:
        return [code for code in (self.needs or "").split(",") if code]

    @property
    def deadlines(self) -> list[tuple[str, date]]:
        """The case's deadlines as (kind, date), earliest first."""
        return [(kind, date.fromisoformat(due)) for kind, due in json.loads(self.deadline_list or "[]")]

    @deadlines.setter
    def deadlines(self, found: list[tuple[str, date]]) -> None:
        self.deadline_list = json.dumps([[kind, due.isoformat()] for kind, due in found]) if found else None

    @property
    def next_deadline_on(self) -> date | None:
        """The earliest deadline from today on, read from the encrypted list."""
        today = clock.today()
        return next((due for _kind, due in self.deadlines if due >= today), None)


#: The case list's default order (most urgent deadline band first, cases without a deadline last, then
#: by intake), as an index so that a page of 25 is read straight from it however many cases there are.
#: It carries the status too, so the list's "N cases in all" counts the open cases from this narrow
#: index instead of reading every row. (An index led by status would tempt SQLite, which keeps no
#: statistics, to sort all open cases.) Expression indexes are not reflected on SQLite, so
#: migrations/env.py leaves this one out of autogenerate's comparison.
DEADLINE_ORDER_INDEX = Index(
    "ix_cases_deadline_order", Case.deadline_band.is_(None), Case.deadline_band, Case.created_at, Case.status
)
#: The "Due soon" list: a page of the open cases in a band, in intake order, read straight from the
#: index, and their number counted from it.
DEADLINE_BAND_INDEX = Index(
    "ix_cases_deadline_band", Case.deadline_band, Case.created_at, Case.id, Case.status, Case.deadline_band_on
)
#: Whether a band holds a case banded before a given day (due.bands_to_read): one step down this index,
#: where the index above would be read to the end of the band whenever the answer is no, which after
#: the daily refresh it always is (half of all cases at 100,000: 16 ms on PostgreSQL, for every page).
BAND_AGE_INDEX = Index("ix_cases_band_age", Case.deadline_band, Case.deadline_band_on)


class _CaseRecord(OwnedRecord):
    """A row that belongs to a person through its case."""

    @property
    def crypto_person(self) -> Person:
        return self.case.person

    @classmethod
    def of_person(cls, person_id: str):
        return select(cls).join(cls.case).where(Case.person_id == person_id)


class Note(_CaseRecord, db.Model):
    """Append-only: a note is never edited; a correction is a new note pointing at the old one."""

    __tablename__ = "notes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    case: Mapped[Case] = relationship()
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author: Mapped[User] = relationship()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    corrects_id: Mapped[str | None] = mapped_column(ForeignKey("notes.id"))
    body = Encrypted()


class Referral(_CaseRecord, db.Model):
    """A referral to a partner, allowed only with the person's consent to share with that partner (S18)."""

    __tablename__ = "referrals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    case: Mapped[Case] = relationship()
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    partner: Mapped[Partner] = relationship()
    referred_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    referred_by: Mapped[User] = relationship()
    referred_on: Mapped[date]
    purpose = Encrypted()
