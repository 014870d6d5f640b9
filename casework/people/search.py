"""Finding people by exact identifiers through blind indexes, for search and duplicate detection."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, or_, select

from casework.extensions import db
from casework.keyring import current_keys
from casework.models.person import BlindIndex, Person
from casework.people import normalise
from casework.people.indexing import digest, index_values


@dataclass
class Match:
    person: Person
    #: Which identifiers matched, e.g. ["phone", "surname_birth_year"].
    matched_on: list[str] = field(default_factory=list)


def _wanted(email, phone, telegram, passport, surname, given_names, birth_year) -> dict[str, str]:
    wanted = {}
    if email:
        wanted["email"] = normalise.email(email)
    if phone and (number := normalise.phone(phone)):
        wanted["phone"] = number
    if telegram:
        wanted["telegram"] = normalise.telegram(telegram)
    if passport:
        wanted["passport"] = normalise.passport(passport)
    if surname and given_names:
        wanted["name"] = f"{normalise.name_skeleton(surname)}|{normalise.name_skeleton(given_names)}"
    if surname and birth_year:
        wanted["surname_birth_year"] = f"{normalise.name_skeleton(surname)}|{int(birth_year)}"
    return wanted


def find_people(
    *,
    email: str | None = None,
    phone: str | None = None,
    telegram: str | None = None,
    passport: str | None = None,
    surname: str | None = None,
    given_names: str | None = None,
    birth_year: int | None = None,
    date_of_birth: date | None = None,
    within=None,
) -> list[Match]:
    """People any of whose identifiers equal the ones given, most matching identifiers first.

    The indexes only propose candidates (a truncated hash can collide); each candidate is decrypted
    and its own normalised values compared before it is returned (S5). A surname alone is never
    searched: it needs the given names or the birth year with it.
    """
    if date_of_birth and not birth_year:
        birth_year = date_of_birth.year
    wanted = _wanted(email, phone, telegram, passport, surname, given_names, birth_year)
    if not wanted:
        return []
    ring = current_keys().index
    # One "name = ? AND digest IN (...)" per identifier, which both databases answer from the index.
    conditions = [
        and_(BlindIndex.name == name, BlindIndex.digest.in_([digest(root, name, value) for root in ring.keys.values()]))
        for name, value in wanted.items()
    ]
    candidate_ids = db.session.scalars(_among(select(BlindIndex.person_id).where(or_(*conditions)), within).distinct()).all()
    if not candidate_ids:
        return []  # most intakes: nobody to decrypt, so no statement to read nobody
    matches = []
    for person in db.session.scalars(select(Person).where(Person.id.in_(candidate_ids), Person.erased_at.is_(None))):
        own = index_values(person)
        matched = [name for name, value in wanted.items() if value in own.get(name, ())]
        if matched:
            matches.append(Match(person, matched))
    return sorted(matches, key=lambda match: -len(match.matched_on))


def _among(candidates, within):
    """Candidates only among the person ids `within` selects (those a reader may see), so that no
    one else is decrypted: the time a search takes then says nothing about people the reader may
    not see (S21). None: everyone (duplicate detection, coordinators)."""
    return candidates if within is None else candidates.where(BlindIndex.person_id.in_(within))


def find_by_surname(surname: str, birth_years: range, within=None) -> list[Match]:
    """People with this surname (exact, in either script), whatever their given names.

    A surname is never indexed on its own (security.md: a low-entropy value is always combined), so
    this asks the surname-and-birth-year index with every year in `birth_years`: exact, and blind to
    people whose birth date is not recorded.
    """
    skeleton = normalise.name_skeleton(surname)
    if not skeleton:
        return []
    values = {f"{skeleton}|{year}" for year in birth_years}
    ring = current_keys().index
    digests = [digest(root, "surname_birth_year", value) for root in ring.keys.values() for value in values]
    candidate_ids = db.session.scalars(
        _among(
            select(BlindIndex.person_id).where(BlindIndex.name == "surname_birth_year", BlindIndex.digest.in_(digests)), within
        ).distinct()
    ).all()
    people = db.session.scalars(select(Person).where(Person.id.in_(candidate_ids), Person.erased_at.is_(None)))
    return [
        Match(person, ["surname_birth_year"])
        for person in people
        if values & set(index_values(person).get("surname_birth_year", ()))
    ]
