"""What the database knows about the keys outside it: a check value per key, and rotations under way.

A check value is an HMAC of a fixed label under the key (`casework.crypto.check_value`): it proves
that a key file holds the very key the rows were written with, without revealing the key. A
rotation is recorded before the key file changes, so that a run stopped half-way is resumed by the
next one instead of starting another.
"""

from datetime import datetime

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.clock import utcnow
from casework.extensions import db


class KeyCheck(db.Model):
    __tablename__ = "key_checks"
    __table_args__ = (UniqueConstraint("ring", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "kek", "index" or "audit".
    ring: Mapped[str] = mapped_column(String(8))
    version: Mapped[int]
    value: Mapped[bytes] = mapped_column(LargeBinary(32))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When `keys retire` removed the key from the key file; rows written before need an older key file.
    retired_at: Mapped[datetime | None]


class KeyRotation(db.Model):
    __tablename__ = "key_rotations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "kek" or "index" (a key-file version), or "dek" (a data-key generation).
    ring: Mapped[str] = mapped_column(String(8), index=True)
    target_version: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
