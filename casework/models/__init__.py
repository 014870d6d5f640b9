"""SQLAlchemy models, one module per aggregate."""

from casework.models.api_token import ApiConsent, ApiToken
from casework.models.audit import AuditEvent, AuditHead
from casework.models.case import Case, Consent, Note, Partner, Referral
from casework.models.document import Document
from casework.models.imports import ImportLayout, ImportRow, ImportRun
from casework.models.job import Job
from casework.models.keycheck import KeyCheck, KeyRotation
from casework.models.person import BlindIndex, Person, PersonKey
from casework.models.session import SessionRecord
from casework.models.stats import CountedPerson, LedgerEntry, Release
from casework.models.tag import CaseTag, PolicyBaseline
from casework.models.user import ROLE_NAMES, Role, User

__all__ = [
    "ApiConsent",
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "BlindIndex",
    "Case",
    "CaseTag",
    "Consent",
    "CountedPerson",
    "LedgerEntry",
    "Document",
    "ImportLayout",
    "ImportRow",
    "ImportRun",
    "Job",
    "KeyCheck",
    "KeyRotation",
    "Note",
    "Partner",
    "Person",
    "PersonKey",
    "PolicyBaseline",
    "ROLE_NAMES",
    "Referral",
    "Release",
    "Role",
    "SessionRecord",
    "User",
]
