"""Integration tokens for the JSON API, and what an intake through one of them recorded about consent.

A token's secret is shown once and never stored: only its SHA-256 digest is kept, which is enough
because the secret is 256 random bits (no dictionary to try against a stolen digest). A token has
one narrow scope and can be revoked; `last_used_on` is a day, not a time, so the table is no log
of when a channel was busy.
"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.clock import utcnow
from casework.extensions import db
from casework.models.case import Consent
from casework.models.user import User

INTAKE, STATISTICS = "intake", "statistics"
SCOPES = (INTAKE, STATISTICS)


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    scope: Mapped[str] = mapped_column(String(16))
    digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_on: Mapped[date | None]
    last_used_on: Mapped[date | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])


class ApiConsent(db.Model):
    """How the consent of an intake through the API was given: through which token, to which
    version of the consent text, and when the person agreed (as the channel states it)."""

    __tablename__ = "api_consents"

    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id"), primary_key=True)
    consent: Mapped[Consent] = relationship()
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"), index=True)
    token: Mapped[ApiToken] = relationship()
    text_version: Mapped[str] = mapped_column(String(40))
    given_at: Mapped[datetime]
