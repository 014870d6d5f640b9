"""Documents (scans of summonses, passports, decisions): the file is stored encrypted outside the
database; the row keeps only what the file is, never its original name in plaintext."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.clock import utcnow
from casework.extensions import db
from casework.models.encrypted import Encrypted, OwnedRecord, new_id
from casework.models.person import Person

CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png")


class Document(OwnedRecord, db.Model):
    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), index=True)
    person: Mapped[Person] = relationship()
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    content_type: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    original_name = Encrypted()

    @property
    def crypto_person(self) -> Person:
        return self.person

    @classmethod
    def of_person(cls, person_id: str):
        return select(cls).where(cls.person_id == person_id)
