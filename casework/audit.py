"""Writing the audit trail in the same transaction as what it records, and verifying its chain.

Every view, search, edit, export, download, assignment and sign-in calls `record` (S15). The row is
flushed at once, so a failing audit write fails the request before any data is shown.
"""

from dataclasses import dataclass

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from casework.crypto import chain_digest, same_digest
from casework.extensions import db
from casework.keyring import current_keys
from casework.models import AuditEvent, AuditHead
from casework.models.user import utcnow


def _content(event: AuditEvent) -> str:
    fields = (
        event.seq, event.at.isoformat(timespec="microseconds"), event.actor_id, event.action, event.target_user_id,
        event.case_id, event.person_id, event.detail, event.address, event.key_version,
    )  # fmt: skip
    return "|".join("" if value is None else str(value) for value in fields)


#: INSERT ... ON CONFLICT DO NOTHING, per database.
_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _head() -> AuditHead:
    """The chain's head, locked for this transaction so that no two rows take the same place.

    The head row is created by whichever writer comes first, and a write statement comes before the
    read: on SQLite, which ignores FOR UPDATE, that statement takes the database's one write lock
    (waiting for another writer to commit), so the head read next is the newest; PostgreSQL waits on
    the row lock of FOR UPDATE. Without it, two SQLite requests read the same head and one failed.
    """
    insert = _INSERT[db.session.get_bind().dialect.name]
    db.session.execute(insert(AuditHead).values(id=1, seq=0, digest=b"").on_conflict_do_nothing())
    return db.session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())


def record(action: str, *, actor=None, target=None, case=None, person=None, detail: str | None = None) -> AuditEvent:
    """Append an audit row to the current transaction; it is committed with the change, or not at all."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if person is None and case is not None:
        person = case.person
    head = _head()
    ring = current_keys().audit
    event = AuditEvent(
        seq=head.seq + 1,
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_user_id=target.id if target is not None else None,
        case_id=case.id if case is not None else None,
        person_id=person.id if person is not None else None,
        detail=detail,
        address=request.remote_addr if has_request_context() else None,
        key_version=ring.current_version,
    )
    event.digest = chain_digest(ring.current, head.digest, _content(event))
    head.seq, head.digest = event.seq, event.digest
    db.session.add(event)
    db.session.flush()
    return event


@dataclass
class Verdict:
    rows: int
    #: The sequence number of the first row that does not fit the chain, or None if all do.
    first_bad_seq: int | None
    reason: str


def verify() -> Verdict:
    """Walk the chain from the first row; name the first row that was edited, deleted or reordered."""
    ring = current_keys().audit
    previous, expected_seq, rows = b"", 1, 0
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq, AuditEvent.id)).yield_per(1000):
        rows += 1
        if event.seq != expected_seq:
            return Verdict(rows, event.seq, f"row {event.seq} follows row {expected_seq - 1}: rows are missing or reordered")
        key = ring.keys.get(event.key_version)
        if key is None or not same_digest(chain_digest(key, previous, _content(event)), event.digest):
            return Verdict(rows, event.seq, f"row {event.seq} was edited, or moved from elsewhere in the chain")
        previous, expected_seq = event.digest, expected_seq + 1
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.seq != expected_seq - 1 or not same_digest(head.digest, previous)):
        return Verdict(rows, expected_seq, f"rows after {expected_seq - 1} were deleted (the head says {head.seq})")
    return Verdict(rows, None, "intact")


def head_digest() -> tuple[int, str]:
    head = db.session.get(AuditHead, 1)
    return (head.seq, head.digest.hex()) if head else (0, "")
