"""Proposal tags: which of the letter's proposals would help a case's person, and whether the policy
in force covers them. Coded and plaintext (no personal data), so statistics can count them without
decrypting anything; only a reviewer's free-text reason is encrypted."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.clock import utcnow
from casework.extensions import db
from casework.models.case import Case, _CaseRecord
from casework.models.encrypted import Encrypted

DECISIONS = ("confirmed", "rejected", "added")


class CaseTag(_CaseRecord, db.Model):
    """One rule's verdict on one case: suggested by the engine, or needing information, possibly
    confirmed, rejected or added by a person; a person's decision survives re-evaluation."""

    __tablename__ = "case_tags"
    __table_args__ = (
        UniqueConstraint("case_id", "rule_id"),
        # Statistics ask, for each counted case, the first proposal that holds (or is left out): this
        # answers from the index alone. Booleans alone are not indexed: too few values to help, and
        # SQLite, with no statistics, would pick such an index and scan half the table per case.
        Index("ix_case_tags_case_holds", "case_id", "holds", "left_out", "proposal"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    case: Mapped[Case] = relationship()
    rule_id: Mapped[str] = mapped_column(String(8), index=True)
    proposal: Mapped[str] = mapped_column(String(4), index=True)
    #: The engine found that every condition holds.
    suggested: Mapped[bool] = mapped_column(default=False)
    #: Facts the engine needs to decide, separated by commas; empty when it could decide.
    needs: Mapped[str] = mapped_column(String(300), default="")
    baseline_version: Mapped[str] = mapped_column(String(40))
    evaluated_on: Mapped[date]
    coverage: Mapped[str] = mapped_column(String(8))
    covered_since: Mapped[date | None]
    #: The tag holds (suggested and not rejected, or added) and the policy in force does not cover it.
    left_out: Mapped[bool] = mapped_column(default=False)
    #: True when the tag holds, after any person's decision; what lists and statistics count.
    holds: Mapped[bool] = mapped_column(default=False)
    decision: Mapped[str | None] = mapped_column(String(12))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    reason = Encrypted()

    def settle(self) -> None:
        """Recompute what follows from the suggestion and the decision."""
        self.holds = self.decision in ("confirmed", "added") or (self.suggested and self.decision != "rejected")
        self.left_out = self.holds and self.coverage == "no"


class PolicyBaseline(db.Model):
    """An uploaded policy baseline (the first one ships with the code); the history is kept."""

    __tablename__ = "policy_baselines"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    effective_from: Mapped[date] = mapped_column(index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
