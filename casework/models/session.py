"""Server-side browser sessions, when they are kept in the database rather than in Redis.

The table belongs to the migrations like every other: the application's database account needs no
right to create tables. Rows hold the serialised session (ids and flags, never personal data) and
the idle deadline, indexed so that `flask sessions purge` finds expired rows without a scan.
"""

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import db


class SessionRecord(db.Model):
    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(String(255), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    expiry: Mapped[datetime] = mapped_column(index=True)
