"""Erasure by crypto-shredding (S6): without the wrapped data key, no copy of the data decrypts."""

from sqlalchemy import select

from casework.clock import utcnow
from casework.extensions import db
from casework.models import Case, Document, Person
from casework.models.encrypted import ENCRYPTED_MODELS, encrypted_attributes
from casework.people.documents import delete_after_commit
from casework.people.indexing import replace_indexes


def erase_person(person: Person) -> None:
    """Delete the person's data key, blind indexes and documents, and blank their ciphertexts.

    The document files go only once the erasure is committed: an erasure rolled back or cut short
    keeps every file its rows refer to.

    Deleting the wrapped key is what makes every existing copy unreadable, backups included; blanking
    the columns as well means the live database no longer even holds the ciphertext. Coded,
    non-identifying columns stay, for statistics.
    """
    for document in db.session.scalars(select(Document).where(Document.person_id == person.id)):
        delete_after_commit(document)
        db.session.delete(document)
    for model in ENCRYPTED_MODELS - {Document}:
        for record in db.session.scalars(model.of_person(person.id)):
            for name in encrypted_attributes(model):
                setattr(record, getattr(model, name).sealed_attribute, None)
    for case in db.session.scalars(select(Case).where(Case.person_id == person.id)):
        case.deadline_band = case.deadline_band_on = None  # the band was the deadlines' only plaintext trace
    replace_indexes(db.session, [person.id], [])
    person.key = None
    person.__dict__.pop("_data_key", None)
    person.__dict__.pop("_decrypted", None)
    person.erased_at = utcnow()
