"""SQLAlchemy models, one module per aggregate."""

from casework.models.audit import AuditEvent
from casework.models.document import Document
from casework.models.person import BlindIndex, Person, PersonKey
from casework.models.user import ROLE_NAMES, Role, User

__all__ = ["AuditEvent", "BlindIndex", "Document", "Person", "PersonKey", "ROLE_NAMES", "Role", "User"]
