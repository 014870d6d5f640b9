"""Statistics releases and the global privacy-budget ledger (statistics.md, points 6 and 7)."""

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import db
from casework.models.user import utcnow


class Release(db.Model):
    """A set of tables for one closed period: requested, approved by an admin, computed once, frozen."""

    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(8), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="requested")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The release date, the only time stated in exports (no finer timestamp, statistics.md attack 14).
    released_on: Mapped[date | None]
    #: The frozen release: the noisy, displayed values as JSON. Every export is made from it alone.
    content: Mapped[str | None] = mapped_column(Text)
    #: Reconciled integers behind the displayed values; kept for checking, never published.
    internal: Mapped[str | None] = mapped_column(Text)


class LedgerEntry(db.Model):
    """Privacy budget spent: one row per table and period, reserved before any data is read."""

    __tablename__ = "privacy_ledger"
    __table_args__ = (UniqueConstraint("period", "table_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(8), index=True)
    table_id: Mapped[str] = mapped_column(String(32))
    epsilon: Mapped[float] = mapped_column(Float)
    #: Whether the table's population overlaps other periods' (then it counts against the lifetime cap).
    overlapping: Mapped[bool] = mapped_column(default=False)
    release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id"))
    reserved_at: Mapped[datetime] = mapped_column(default=utcnow)
