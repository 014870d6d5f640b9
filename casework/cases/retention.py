"""Retention (S17): people whose cases all closed longer ago than the retention period are
crypto-shredded, a batch per transaction, each with its audit row. Their cases' coded facts stay
for statistics. Run by `flask retention run` (a timer) or as a job from the admin page."""

from collections.abc import Callable

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from casework import audit
from casework.batches import chunks, run_in_batches
from casework.cases import consent
from casework.clock import utcnow
from casework.extensions import db
from casework.models import Case, Person
from casework.models.person import BlindIndex
from casework.people.erasure import erase_person


def expired_people(months: int) -> list[str]:
    """Ids of people not yet erased, with at least one case, all of whose cases closed over `months` ago,
    and who may not be the person of an open case still flagged as a possible duplicate: until a
    coordinator says whether he is the same man, his old record is his open case's history."""
    cutoff = utcnow() - relativedelta(months=months)
    still_open_or_recent = select(Case.person_id).where((Case.closed_at.is_(None)) | (Case.closed_at > cutoff))
    query = (
        select(Person.id)
        .where(
            Person.erased_at.is_(None),
            Person.id.in_(select(Case.person_id)),
            Person.id.not_in(still_open_or_recent),
            Person.id.not_in(_awaiting_a_duplicate_decision()),
        )
        .order_by(Person.id)
    )
    return db.session.scalars(query).all()


def _awaiting_a_duplicate_decision():
    """People who share an identifier (a blind index) with the person of an open case flagged as a
    possible duplicate."""
    flagged = select(Case.person_id).where(Case.possible_duplicate, Case.closed_at.is_(None))
    theirs = aliased(BlindIndex)
    return (
        select(BlindIndex.person_id)
        .join(theirs, and_(theirs.name == BlindIndex.name, theirs.digest == BlindIndex.digest))
        .where(theirs.person_id.in_(flagged), BlindIndex.person_id != theirs.person_id)
    )


def erase_expired(
    months: int, *, batch: int = 100, label: str | None = None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Erase everyone `expired_people(months)` names; return how many."""
    people = expired_people(months)

    def erase(person_id: str) -> None:
        person = db.session.get(Person, person_id)
        audit.record("person_erased_retention", person=person, detail=str(months))
        consent.end_all(person.id)
        erase_person(person)

    report = (lambda done: progress(done, len(people))) if progress else None
    return run_in_batches(chunks(people, batch), erase, total=len(people), label=label, progress=report)
