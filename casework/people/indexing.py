"""Which blind indexes a person has, and keeping them current whenever the person is saved.

No low-entropy value is indexed on its own: a surname is always combined with the birth year or
the given names.
"""

from sqlalchemy import event
from sqlalchemy.orm import Session

from casework.crypto import blind_index
from casework.keyring import current_keys
from casework.models.person import BlindIndex, Person
from casework.people import normalise


def _names(person: Person) -> set[tuple[str, str]]:
    pairs = {(person.surname_latin, person.given_names_latin), (person.surname_cyrillic, person.given_names_cyrillic)}
    return {(normalise.name_skeleton(s or ""), normalise.name_skeleton(g or "")) for s, g in pairs if s}


def index_values(person: Person) -> dict[str, set[str]]:
    """Normalised values per index name; what `find_people` recomputes to confirm a candidate."""
    values: dict[str, set[str]] = {"email": set(), "phone": set(), "telegram": set(), "passport": set(), "name": set(), "surname_birth_year": set()}
    if person.email:
        values["email"].add(normalise.email(person.email))
    if person.phone and (number := normalise.phone(person.phone)):
        values["phone"].add(number)
    if person.telegram:
        values["telegram"].add(normalise.telegram(person.telegram))
    if person.passport_number:
        values["passport"].add(normalise.passport(person.passport_number))
    for surname, given in _names(person):
        if given:
            values["name"].add(f"{surname}|{given}")
        if person.date_of_birth:
            values["surname_birth_year"].add(f"{surname}|{person.date_of_birth.year}")
    return {name: found for name, found in values.items() if found}


def digest(index_root: bytes, name: str, value: str) -> bytes:
    return blind_index(index_root, Person.__tablename__, name, value)


def rebuild_indexes(person: Person) -> None:
    """Replace the person's index rows with ones made under the current index key."""
    ring = current_keys().index
    person.indexes = [
        BlindIndex(name=name, key_version=ring.current_version, digest=digest(ring.current, name, value))
        for name, values in sorted(index_values(person).items())
        for value in sorted(values)
    ]
    person.__dict__["_index_stale"] = False


@event.listens_for(Session, "before_flush")
def _reindex_changed_people(session: Session, _context, _instances) -> None:
    for record in list(session.new) + list(session.dirty):
        if isinstance(record, Person) and record.__dict__.get("_index_stale") and not record.erased:
            rebuild_indexes(record)
