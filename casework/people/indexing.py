"""Which blind indexes a person has, and keeping them current whenever the person is saved.

No low-entropy value is indexed on its own: a surname is always combined with the birth year or
the given names.
"""

from sqlalchemy import delete, event, insert
from sqlalchemy.orm import Session

from casework.crypto import blind_index
from casework.extensions import db
from casework.keyring import current_keys
from casework.models.person import BlindIndex, Person
from casework.people import normalise

#: Where index rows computed before a flush wait to be written after it.
PENDING = "casework_pending_indexes"


def _names(person: Person) -> set[tuple[str, str]]:
    pairs = {(person.surname_latin, person.given_names_latin), (person.surname_cyrillic, person.given_names_cyrillic)}
    return {(normalise.name_skeleton(s or ""), normalise.name_skeleton(g or "")) for s, g in pairs if s}


def index_values(person: Person) -> dict[str, set[str]]:
    """Normalised values per index name; what `find_people` recomputes to confirm a candidate."""
    values: dict[str, set[str]] = {
        "email": set(),
        "phone": set(),
        "telegram": set(),
        "passport": set(),
        "name": set(),
        "surname_birth_year": set(),
    }
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


def index_rows(person: Person) -> list[dict]:
    """The person's index rows under the current index root."""
    ring = current_keys().index
    return [
        {"person_id": person.id, "name": name, "key_version": ring.current_version, "digest": digest(ring.current, name, value)}
        for name, values in sorted(index_values(person).items())
        for value in sorted(values)
    ]


def replace_indexes(session: Session, person_ids: list[str], rows: list[dict]) -> None:
    """Swap the index rows of these people for `rows`, in two statements rather than one per row.

    `person_ids` are those whose old rows are deleted: people saved for the first time have none.
    """
    for start in range(0, len(person_ids), 500):
        session.execute(delete(BlindIndex).where(BlindIndex.person_id.in_(person_ids[start : start + 500])))
    if rows:
        session.execute(insert(BlindIndex), rows)


def rebuild_indexes(person: Person) -> None:
    """Recompute one person's indexes now (key rotation); saving a person does this by itself."""
    replace_indexes(db.session, [person.id], index_rows(person))
    person.__dict__["_index_stale"] = False


@event.listens_for(db.session, "before_flush")
def _collect_changed_people(session: Session, _context, _instances) -> None:
    """Compute the new index rows while the plaintext is at hand; they are written after the flush."""
    pending = session.info.setdefault(PENDING, {})
    added = list(session.new)  # `session.new` builds a new set on every access: read it once
    new_people = {id(record) for record in added}
    for record in added + list(session.dirty):
        if isinstance(record, Person) and record.__dict__.get("_index_stale") and not record.erased:
            pending[record.id] = (id(record) in new_people, index_rows(record))
            record.__dict__["_index_stale"] = False


@event.listens_for(db.session, "after_flush")
def _write_collected_indexes(session: Session, _context) -> None:
    pending = session.info.pop(PENDING, None)
    if pending:
        existing = [person_id for person_id, (new, _rows) in pending.items() if not new]
        replace_indexes(session, existing, [row for _new, rows in pending.values() for row in rows])
