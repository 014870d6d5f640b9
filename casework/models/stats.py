"""Statistics releases and the global privacy-budget ledger (statistics.md, points 6 and 7)."""

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.clock import utcnow
from casework.extensions import db


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
    #: Epsilon of another table's noise that this table's published cells also rest on: a table is
    #: reconciled to the period's noisy total, so its true cost is `epsilon + borrowed`. The total's
    #: own row charges that noise once; `borrowed` counts against the per-table cap, not the period's.
    borrowed: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    #: Whether the table's population overlaps other periods' (then it counts against the lifetime cap).
    overlapping: Mapped[bool] = mapped_column(default=False)
    release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id"))
    reserved_at: Mapped[datetime] = mapped_column(default=utcnow)


class CountedPerson(db.Model):
    """The quarter whose release counted a person (one contribution for all the records linked to
    theirs by a shared identifier), fixed by that release and never moved: a record linked later, or
    a duplicate resolved later, counts with the group where it was counted already."""

    __tablename__ = "stats_counted_people"

    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(8))
