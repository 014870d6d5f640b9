"""A person the foundation helps: identity and contacts, all encrypted with the person's own data key.

Only coded, non-identifying categories (sex, citizenship, languages) are plaintext; every column and
the reason for its protection is listed in docs/data-inventory.md.
"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from casework.clock import utcnow
from casework.crypto import DecryptionError, new_key, unwrap_data_key, wrap_data_key
from casework.extensions import db
from casework.keyring import current_keys
from casework.models.encrypted import Encrypted, EncryptedRecord, new_id

SEXES = ("M", "F", "X")
CITIZENSHIPS = ("RU", "RU+other", "former", "stateless", "unknown")
#: ISO 639-1 codes a person's `languages` may hold (labels in choices.LANGUAGES).
LANGUAGES = ("ru", "uk", "be", "en", "nl", "de", "fr", "es", "it", "pl")


class ErasedPerson(DecryptionError):
    """The person's data key was shredded: their encrypted data is gone for good (S6)."""


class PersonKey(db.Model):
    """The person's data key, wrapped by a key-encryption key. Deleting this row erases the person."""

    __tablename__ = "person_keys"

    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    kek_version: Mapped[int] = mapped_column(index=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)


class BlindIndex(db.Model):
    """A keyed, truncated hash of one normalised value, for exact search without decrypting (S5)."""

    __tablename__ = "blind_indexes"
    __table_args__ = (Index("ix_blind_indexes_lookup", "name", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    key_version: Mapped[int] = mapped_column(index=True)
    digest: Mapped[bytes] = mapped_column(LargeBinary(8))


class Person(EncryptedRecord, db.Model):
    __tablename__ = "persons"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: Generation of the data key; bumped by `keys rotate-dek`. Every ciphertext carries it too.
    dek_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[datetime | None]
    sex: Mapped[str | None] = mapped_column(String(1))
    citizenship: Mapped[str | None] = mapped_column(String(16))
    #: Codes from LANGUAGES separated by commas, e.g. "ru,en"; anything else is refused, so that this
    #: plaintext column never holds free text (S20).
    languages: Mapped[str | None] = mapped_column(String(64))
    #: The person was asked for a way to reach them and gave none (recorded, so that a case without
    #: contact details is a choice, not an omission).
    no_contact_details: Mapped[bool] = mapped_column(default=False)

    surname_latin = Encrypted(index=True)
    given_names_latin = Encrypted(index=True)
    surname_cyrillic = Encrypted(index=True)
    given_names_cyrillic = Encrypted(index=True)
    #: A name the person goes by, when they give no other.
    alias = Encrypted()
    date_of_birth = Encrypted(date, index=True)
    #: When only an approximate age is known ("about 29"): the birth year it gives, an estimate that the
    #: rules treat as uncertain (facts.possible_situations).
    birth_year_estimated = Encrypted(int)
    #: For a dual citizen: the other citizenship, as an ISO 3166 country code.
    other_citizenship = Encrypted()
    phone = Encrypted(index=True)
    email = Encrypted(index=True)
    telegram = Encrypted(index=True)
    signal = Encrypted()
    passport_number = Encrypted(index=True)
    address = Encrypted()

    key: Mapped[PersonKey | None] = relationship(cascade="all, delete-orphan", lazy="joined")

    def __init__(self, **values):
        """A new person gets an id and a fresh data key before any of their values is encrypted."""
        self.id = values.pop("id", None) or new_id()
        self.dek_version = 1
        self.set_data_key(new_key())
        super().__init__(**values)

    @validates("languages")
    def _coded_languages(self, _key: str, value: str | None) -> str | None:
        if value is not None and not set(value.split(",")) <= set(LANGUAGES):
            raise ValueError("languages must be codes from Person.LANGUAGES")
        return value

    @property
    def crypto_person(self) -> "Person":
        return self

    @classmethod
    def of_person(cls, person_id: str):
        return select(cls).where(cls.id == person_id)

    def set_data_key(self, data_key: bytes) -> None:
        """Wrap `data_key` under the current key-encryption key and use it from now on."""
        keys = current_keys()
        wrapped = wrap_data_key(keys.kek.current, keys.kek.current_version, data_key, self.id)
        if self.key is None:
            self.key = PersonKey(kek_version=keys.kek.current_version, wrapped=wrapped)
        else:
            self.key.kek_version, self.key.wrapped = keys.kek.current_version, wrapped
        self.__dict__["_data_key"] = data_key

    def data_key(self) -> bytes:
        cached = self.__dict__.get("_data_key")
        if cached is not None:
            return cached
        if self.key is None:
            raise ErasedPerson("this person was erased")
        kek = current_keys().kek.get(self.key.kek_version)
        data_key = unwrap_data_key(kek, self.key.kek_version, self.key.wrapped, self.id)
        self.__dict__["_data_key"] = data_key
        return data_key

    @property
    def erased(self) -> bool:
        return self.erased_at is not None
