"""Staff accounts: who may sign in, with which single role, and their second factor."""

from datetime import datetime

from flask_security import RoleMixin, UserMixin
from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.clock import utcnow
from casework.extensions import db

#: The four roles of domain.md. Every account has exactly one; they are created by the first migration.
ROLE_NAMES = ("volunteer", "coordinator", "advocate", "admin")


class Role(db.Model, RoleMixin):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)


class User(db.Model, UserMixin):
    """A staff member. The single `role` is a foreign key, so "exactly one role" holds in the schema.

    Flask-Security expects a list of roles; `roles` presents the one role as that list, read-only.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    #: Changing it ends every session of this account (Flask-Security keeps it in the session).
    fs_uniquifier: Mapped[str] = mapped_column(String(64), unique=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
    role: Mapped[Role] = relationship(lazy="joined")
    locale: Mapped[str | None] = mapped_column(String(8))
    #: Demo accounts are made by `make run`; the CLI refuses to reveal secrets of any other account.
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    tf_primary_method: Mapped[str | None] = mapped_column(String(64))
    #: Encrypted by Flask-Security's TOTP factory with a key that is never stored in the database.
    tf_totp_secret: Mapped[str | None] = mapped_column(Text)
    #: The time step of the last accepted code, so that a code works only once (S7).
    tf_totp_last_counter: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def roles(self) -> list[Role]:
        """The same single role as a one-element list, which is what Flask-Security reads: from the
        `role` already joined, not a second join of the roles table to every user read."""
        return [self.role]

    @property
    def role_name(self) -> str:
        return self.role.name
