"""Erasure by crypto-shredding (S6): without the wrapped data key, no copy of the data decrypts."""

from sqlalchemy import select

from casework.extensions import db
from casework.models import Document, Person
from casework.models.encrypted import ENCRYPTED_MODELS, encrypted_attributes
from casework.models.user import utcnow
from casework.people.documents import delete_files
from casework.people.indexing import replace_indexes


def erase_person(person: Person) -> None:
    """Delete the person's data key, blind indexes and documents, and blank their ciphertexts.

    Deleting the wrapped key is what makes every existing copy unreadable, backups included; blanking
    the columns as well means the live database no longer even holds the ciphertext. Coded,
    non-identifying columns stay, for statistics.
    """
    for document in db.session.scalars(select(Document).where(Document.person_id == person.id)):
        delete_files(document)
        db.session.delete(document)
    for model in ENCRYPTED_MODELS - {Document}:
        for record in db.session.scalars(model.of_person(person.id)):
            for name in encrypted_attributes(model):
                setattr(record, getattr(model, name).sealed_attribute, None)
    replace_indexes(db.session, [person.id], [])
    person.key = None
    person.__dict__.pop("_data_key", None)
    person.__dict__.pop("_decrypted", None)
    person.erased_at = utcnow()
