"""Writing the audit trail in the same transaction as what it records, and verifying its chain.

Every view, search, edit, export, download, assignment and sign-in calls `record` (S15). The event
is kept with the database session and written by the commit that ends the request: the commit
fails, and the request with it, if the row cannot be written, so no page is sent without its row.

The chain (S16) is extended inside that commit, not when the event is recorded: the head is locked
from the moment the events are chained until the commit a few statements later, never while a page
is being built, so requests that each write an audit row do not queue behind one another
(docs/audit.md).
"""

from dataclasses import dataclass

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.event import listens_for
from sqlalchemy.orm import Session

from casework.clock import utcnow
from casework.crypto import chain_digest, same_digest
from casework.extensions import db
from casework.keyring import current_keys
from casework.models import AuditEvent, AuditHead

#: Where a database session keeps the events recorded in its transaction, in the order recorded.
_PENDING = "casework.audit.pending"


def _content(event: AuditEvent) -> str:
    fields = (
        event.seq,
        event.at.isoformat(timespec="microseconds"),
        event.actor_id,
        event.action,
        event.target_user_id,
        event.case_id,
        event.person_id,
        event.detail,
        event.address,
        event.key_version,
    )
    return "|".join("" if value is None else str(value) for value in fields)


def link(key: bytes, previous: bytes, event: AuditEvent) -> bytes:
    """The digest `event` should carry under `key`, after a row whose digest is `previous`."""
    return chain_digest(key, previous, _content(event))


#: INSERT ... ON CONFLICT DO NOTHING, per database.
_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


_HEAD = AuditHead.__table__
_EVENTS = AuditEvent.__table__
#: What an event row holds besides its id, which the database gives it.
_EVENT_COLUMNS = [column.key for column in _EVENTS.columns if column.key != "id"]
#: The statements on the head every audited request runs, built once rather than per request; the
#: last moves the head and inserts one event (PostgreSQL, _write_chain).
_TOUCH_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq).returning(_HEAD.c.seq, _HEAD.c.digest)
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(seq=bindparam("new_seq"), digest=bindparam("new_digest"))
_MOVE_HEAD_AND_INSERT = _EVENTS.insert().add_cte(_MOVE_HEAD.cte("moved_head"))


def _lock_head(session: Session) -> tuple[int, bytes]:
    """The chain's head, locked for the rest of this transaction so that no two rows take the same place.

    One statement both locks and reads: an UPDATE that changes nothing, returning the head. It waits
    for another appender to commit (PostgreSQL on the row's lock, SQLite on the database's one write
    lock) and then returns the newest head. The head row is created by whichever appender comes first.
    """
    head = session.execute(_TOUCH_HEAD).first()
    if head is None:
        insert = _INSERT[session.get_bind().dialect.name]
        session.execute(insert(_HEAD).values(id=1, seq=0, digest=b"").on_conflict_do_nothing())
        head = session.execute(_TOUCH_HEAD).first()
    return head.seq, head.digest


def record(action: str, *, actor=None, target=None, case=None, person=None, detail: str | None = None) -> AuditEvent:
    """Add an audit event to the current transaction; it is committed with the change, or not at all."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if person is None and case is not None:
        person = case.person
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_user_id=target.id if target is not None else None,
        case_id=case.id if case is not None else None,
        person_id=person.id if person is not None else None,
        detail=detail,
        address=request.remote_addr if has_request_context() else None,
    )
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback, even before any statement, discards the event
    session.info.setdefault(_PENDING, []).append(event)
    return event


@listens_for(db.session, "before_commit")
def _chain_pending_events(session: Session) -> None:
    """Give the transaction's events their places in the chain, just before they are committed."""
    events = session.info.pop(_PENDING, None)
    if not events:
        return
    # The request's own changes are written before the head is locked, not while it is held: the
    # lock then covers the head's statements and the events' INSERT (_write_chain).
    session.flush()
    seq, digest = _lock_head(session)
    ring = current_keys().audit
    for pending in events:
        seq += 1
        pending.seq, pending.key_version = seq, ring.current_version
        pending.digest = digest = chain_digest(ring.current, digest, _content(pending))
    _write_chain(session, seq, digest, [{name: getattr(event, name) for name in _EVENT_COLUMNS} for event in events])


def _write_chain(session: Session, seq: int, digest: bytes, rows: list[dict]) -> None:
    """Move the head and insert the rows. Most requests write one row; on PostgreSQL one statement
    then does both (the head's UPDATE as a data-modifying WITH, which runs exactly once whether or not
    it is referenced): one round trip fewer while the head is locked. SQLite has no such WITH."""
    if len(rows) == 1 and session.get_bind().dialect.name == "postgresql":
        session.execute(_MOVE_HEAD_AND_INSERT, {**rows[0], "new_seq": seq, "new_digest": digest})
    else:
        session.execute(_MOVE_HEAD, {"new_seq": seq, "new_digest": digest})
        session.execute(_EVENTS.insert(), rows)


@listens_for(db.session, "after_soft_rollback")
def _forget_pending_events(session: Session, previous_transaction) -> None:
    """A transaction that is rolled back takes its events with it, as it takes its changes."""
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)


@dataclass
class Verdict:
    rows: int
    #: The sequence number of the first row that does not fit the chain, or None if all do.
    first_bad_seq: int | None
    reason: str


def verify(session=None) -> Verdict:
    """Walk the chain from the first row; name the first row that was edited, deleted or reordered.

    `session` reads another database than the app's (a backup restored for a drill)."""
    session = session or db.session
    ring = current_keys().audit
    previous, expected_seq, rows = b"", 1, 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.seq, AuditEvent.id)).yield_per(1000):
        rows += 1
        if event.seq != expected_seq:
            return Verdict(rows, event.seq, f"row {event.seq} follows row {expected_seq - 1}: rows are missing or reordered")
        key = ring.keys.get(event.key_version)
        if key is None or not same_digest(chain_digest(key, previous, _content(event)), event.digest):
            return Verdict(rows, event.seq, f"row {event.seq} was edited, or moved from elsewhere in the chain")
        previous, expected_seq = event.digest, expected_seq + 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != expected_seq - 1 or not same_digest(head.digest, previous)):
        return Verdict(rows, expected_seq, f"rows after {expected_seq - 1} were deleted (the head says {head.seq})")
    return Verdict(rows, None, "intact")


def head_digest() -> tuple[int, str]:
    head = db.session.get(AuditHead, 1)
    return (head.seq, head.digest.hex()) if head else (0, "")
