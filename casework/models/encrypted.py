"""Encrypted attributes: models declare them, and nothing else in the code ever sees ciphertext.

    class Person(EncryptedRecord, db.Model):
        surname_latin = Encrypted(index=True)
        date_of_birth = Encrypted(date)

Each `Encrypted` attribute is stored in a binary column of the same name. Reading decrypts, writing
encrypts, both with the data key of the person the row belongs to, bound to table, column, row id
and person id (S3). A value that does not decrypt raises `DecryptionError`; it is never returned raw.
"""

import uuid
from datetime import date

from sqlalchemy import LargeBinary
from sqlalchemy.orm import mapped_column

from casework.crypto import FieldPlace, decrypt_field, encrypt_field

#: Every model class with encrypted attributes, so that key rotation can find all of a person's data.
ENCRYPTED_MODELS: set[type] = set()


class Encrypted:
    """An attribute kept encrypted at rest; `kind` is `str`, `int` or `date`."""

    def __init__(self, kind: type = str, *, index: bool = False):
        self.kind = kind
        self.index = index

    def __set_name__(self, owner, name: str) -> None:
        self.name = name
        self.sealed_attribute = f"_{name}_sealed"
        setattr(owner, self.sealed_attribute, mapped_column(name, LargeBinary, nullable=True))
        ENCRYPTED_MODELS.add(owner)

    def _encode(self, value) -> bytes:
        return (value.isoformat() if self.kind is date else str(value)).encode("utf-8")

    def _decode(self, raw: bytes):
        text = raw.decode("utf-8")
        if self.kind is date:
            return date.fromisoformat(text)
        return int(text) if self.kind is int else text

    def __get__(self, record, owner=None):
        if record is None:
            return self
        sealed = getattr(record, self.sealed_attribute)
        cache = record.__dict__.setdefault("_decrypted", {})
        cached = cache.get(self.name)
        if cached is not None and cached[0] is sealed:
            return cached[1]
        value = None if sealed is None else self._decode(record.decrypt_value(self.name, sealed))
        cache[self.name] = (sealed, value)
        return value

    def __set__(self, record, value) -> None:
        sealed = None if value is None else record.encrypt_value(self.name, self._encode(value))
        setattr(record, self.sealed_attribute, sealed)
        record.__dict__.setdefault("_decrypted", {})[self.name] = (sealed, value)
        if self.index:
            record.__dict__["_index_stale"] = True


def encrypted_attributes(model: type) -> list[str]:
    return [name for name in dir(model) if isinstance(getattr(model, name, None), Encrypted)]


class EncryptedRecord:
    """A row whose encrypted attributes belong to one person; `crypto_person` names that person."""

    @property
    def crypto_person(self):
        raise NotImplementedError

    @classmethod
    def of_person(cls, person_id: str):
        """A query for every row of this model that belongs to the person."""
        raise NotImplementedError

    def _place(self, column: str) -> FieldPlace:
        return FieldPlace(self.__tablename__, column, str(self.id), str(self.crypto_person.id))

    def encrypt_value(self, column: str, plaintext: bytes) -> bytes:
        person = self.crypto_person
        return encrypt_field(person.data_key(), person.dek_version, self._place(column), plaintext)

    def decrypt_value(self, column: str, sealed: bytes) -> bytes:
        return decrypt_field(self.crypto_person.data_key(), self._place(column), sealed)


def new_id() -> str:
    """Row ids are made here, not by the database, so they exist before the row is written (S3)."""
    return str(uuid.uuid4())


class OwnedRecord(EncryptedRecord):
    """A row that belongs to a person, directly (`person`) or through its case (`case`).

    Its id and owner are set before any other value, so that each value can be encrypted at once.
    """

    def __init__(self, **values):
        self.id = values.pop("id", None) or new_id()
        for owner in ("person", "case"):
            if owner in values:
                setattr(self, owner, values.pop(owner))
        super().__init__(**values)
