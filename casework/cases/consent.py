"""Consent as a living record: what the person agreed to, answered question by question.

Three kinds of question are asked: may the foundation store the data, may it contact the person,
and may it share the case with this partner (one question per partner). Each answer is a `Consent`
row with who recorded it, when, how the person gave it and until when; rows are added, never
rewritten, so the history stays. For every question the most recent answer stands, and nothing is
in force unless consent to store is.

Two records found to be the same person keep both their histories: the answers of one are copied to
the other with their own dates, so for any one question the most recent answer of either wins.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from casework import audit
from casework.clock import today as local_today
from casework.clock import utcnow
from casework.extensions import db
from casework.i18n import _l
from casework.models import ApiConsent, Case, Consent, Partner, Person, User

STORE, CONTACT, SHARE = "store", "contact", "share"


class ConsentRefused(Exception):
    """A consent decision that cannot be recorded; the message is translated and safe to show."""


@dataclass(frozen=True)
class Answer:
    """The person's answer to one question, as recorded in `row`."""

    scope: str
    granted: bool
    row: Consent
    partner: Partner | None = None

    @property
    def question(self) -> tuple[str, int | None]:
        return self.scope, self.partner.id if self.partner else None

    @property
    def expires_on(self) -> date | None:
        return self.row.expires_on

    def in_force(self, on: date) -> bool:
        return self.granted and self.row.withdrawn_at is None and (self.row.expires_on is None or self.row.expires_on >= on)


def answers(row: Consent) -> list[Answer]:
    """The questions a row answers: all of them for an intake's row, one for a later decision."""
    if row.scope is None:
        return [Answer(STORE, row.store, row), Answer(CONTACT, row.contact, row)] + [
            Answer(SHARE, True, row, partner) for partner in row.partners
        ]
    if row.scope == SHARE:
        return [Answer(SHARE, bool(row.granted), row, partner) for partner in row.partners]
    return [Answer(row.scope, bool(row.granted), row)]


@dataclass
class Standing:
    """The latest answer to each question about one person, on `on`."""

    on: date
    store: Answer | None = None
    contact: Answer | None = None
    partners: list[Answer] = field(default_factory=list)
    history: list[Consent] = field(default_factory=list)

    @property
    def stored(self) -> bool:
        return self.store is not None and self.store.in_force(self.on)

    @property
    def may_contact(self) -> bool:
        return self.stored and self.contact is not None and self.contact.in_force(self.on)

    @property
    def shared_with(self) -> list[Partner]:
        """The partners the case may be shared with now (active or not: a referral form shows the active)."""
        if not self.stored:
            return []
        return [answer.partner for answer in self.partners if answer.in_force(self.on)]

    def current(self) -> list[Answer]:
        """Every question's latest answer, storing first."""
        return [answer for answer in (self.store, self.contact) if answer is not None] + self.partners

    def expiring(self, within_days: int) -> list[Answer]:
        """Answers in force that end within `within_days`: to be renewed before they lapse."""
        if not self.stored:
            return []
        horizon = self.on + timedelta(days=within_days)
        return [
            answer for answer in self.current() if answer.in_force(self.on) and answer.expires_on and answer.expires_on <= horizon
        ]


def _rows(person: Person) -> list[Consent]:
    query = select(Consent).where(Consent.person_id == person.id).order_by(Consent.recorded_at, Consent.id)
    # One statement: each answer's recorder and partners are joined to it, not read by two more.
    return db.session.scalars(query.options(joinedload(Consent.partners), joinedload(Consent.recorded_by))).unique().all()


def standing(person: Person, on: date | None = None) -> Standing:
    """For each question the most recent answer, whichever record or intake it came from."""
    rows = _rows(person)
    latest: dict[tuple[str, int | None], Answer] = {}
    for row in rows:
        for answer in answers(row):
            latest[answer.question] = answer
    partners = sorted(
        (answer for (scope, _id), answer in latest.items() if scope == SHARE), key=lambda answer: answer.partner.name
    )
    return Standing(
        on=on or local_today(),
        store=latest.get((STORE, None)),
        contact=latest.get((CONTACT, None)),
        partners=partners,
        history=rows[::-1],
    )


def decide(
    case: Case,
    scope: str,
    granted: bool,
    method: str,
    actor: User,
    *,
    partner: Partner | None = None,
    expires_on: date | None = None,
) -> Consent:
    """Record the person's answer to one question (given, renewed or withdrawn), from `case`'s page.

    Withdrawing consent to store ends every consent: nothing may be kept or shared without it.
    """
    if scope == STORE and not granted:
        return withdraw_all(case, actor, method)
    if scope not in (STORE, CONTACT, SHARE) or (scope == SHARE) != (partner is not None):
        raise ConsentRefused(_l("Choose what the person decided about."))
    if granted and scope != STORE and not standing(case.person).stored:
        raise ConsentRefused(_l("Record the person's consent to store their data first."))
    if granted and scope == SHARE and not partner.active:
        raise ConsentRefused(_l("This partner is no longer active."))
    row = Consent(
        person=case.person,
        scope=scope,
        granted=granted,
        store=scope == STORE and granted,
        contact=scope == CONTACT and granted,
        partners=[partner] if partner else [],
        method=method,
        recorded_by_id=actor.id,
        expires_on=expires_on if granted else None,
    )
    db.session.add(row)
    db.session.flush()
    detail = f"{scope}:{'yes' if granted else 'no'}" + (f":{partner.id}" if partner else "")
    audit.record("consent_recorded", actor=actor, case=case, detail=detail)
    return row


def withdraw_all(case: Case, actor: User, method: str = "other") -> Consent:
    """Every consent of the case's person ends now (recorded on the case it was done from).

    Besides ending the rows in force, the withdrawal is an answer of its own, "no" to storing, dated
    now: a merge copies it like any other answer, so that an earlier "yes" taken down on the other
    record of the same person cannot come after it and stand again."""
    end_all(case.person_id)
    row = Consent(
        person=case.person,
        scope=STORE,
        granted=False,
        store=False,
        contact=False,
        partners=[],
        method=method,
        recorded_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("consent_withdrawn", actor=actor, case=case)
    return row


def end_all(person_id: str, at: datetime | None = None) -> None:
    for row in db.session.scalars(select(Consent).where(Consent.person_id == person_id, Consent.withdrawn_at.is_(None))):
        row.withdrawn_at = at or utcnow()


def combine(source: Person, target: Person) -> None:
    """`source` and `target` are the same person: `target` gains a copy of each of `source`'s answers,
    with its own date, who, how and until when; for any one question the most recent answer wins. An
    answer given through an integration keeps its channel, text version and time on the copy, which
    would otherwise read as "other", recorded by nobody."""
    rows = _rows(source)
    channels = {
        through.consent_id: through
        for through in db.session.scalars(select(ApiConsent).where(ApiConsent.consent_id.in_([row.id for row in rows])))
    }
    for row in rows:
        copy = Consent(
            person=target,
            scope=row.scope,
            granted=row.granted,
            store=row.store,
            contact=row.contact,
            partners=list(row.partners),
            method=row.method,
            recorded_by_id=row.recorded_by_id,
            recorded_at=row.recorded_at,
            expires_on=row.expires_on,
            withdrawn_at=row.withdrawn_at,
        )
        db.session.add(copy)
        if row.id in channels:
            through = channels[row.id]
            db.session.add(
                ApiConsent(consent=copy, token_id=through.token_id, text_version=through.text_version, given_at=through.given_at)
            )
    db.session.flush()
