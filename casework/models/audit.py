"""The audit trail: who did what, to which case, person or account, when, and from where.

Rows hold ids and codes, never personal data (S16). Each row carries a keyed HMAC over its content
and the previous row's HMAC, so that editing, deleting or reordering a row breaks the chain at
exactly that row; `AuditHead` holds the latest link, and is locked while a transaction's rows are
chained, just before its commit, so that concurrent requests cannot fork the chain.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.clock import utcnow
from casework.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
    person_id: Mapped[str | None] = mapped_column(String(36))
    #: A short, non-identifying detail such as a role name, a status code or a count.
    detail: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(45))
    key_version: Mapped[int] = mapped_column(default=1)
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditHead(db.Model):
    """The single row holding the newest link of the chain."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    digest: Mapped[bytes] = mapped_column(LargeBinary(32), default=b"")
