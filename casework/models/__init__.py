"""SQLAlchemy models, one module per aggregate."""

from casework.models.audit import AuditEvent
from casework.models.user import ROLE_NAMES, Role, User

__all__ = ["AuditEvent", "ROLE_NAMES", "Role", "User"]
