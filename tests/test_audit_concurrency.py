"""The audit chain is extended at the commit, not while a page is built (S15, S16).

A request that has recorded its audit row and is still rendering must not hold a lock that every
other request needs: one request at a time was the result. The tests open two sessions side by
side in one thread, so that a wait would show as a lock error rather than a slow test.
"""

import pytest
from sqlalchemy import func, select, text

from casework import audit
from casework.extensions import db
from casework.models import AuditEvent
from tests.statements import statements_during


@pytest.fixture
def short_lock_waits(app):
    """A second writer that would have to wait for the first fails at once instead of hanging."""

    def shorten() -> None:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text("SET LOCAL lock_timeout = '500ms'"))
        else:
            db.session.execute(text("PRAGMA busy_timeout = 200"))

    return shorten


def test_a_recorded_but_uncommitted_event_does_not_hold_the_chain(app, short_lock_waits):
    """Request A has recorded its view and is still building its page; request B records and
    commits in the meantime. B is not kept waiting, A commits after it, and the chain is intact."""
    with app.app_context():
        audit.record("case_list_viewed", detail="A")
        with app.app_context():
            short_lock_waits()
            audit.record("case_list_viewed", detail="B")
            db.session.commit()
        db.session.commit()
        rows = db.session.execute(select(AuditEvent.seq, AuditEvent.detail).order_by(AuditEvent.seq)).all()
    assert [tuple(row) for row in rows] == [(1, "B"), (2, "A")]
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact: 2 rows" in result.output, result.output


def test_a_rolled_back_request_leaves_no_row_and_no_gap(app):
    """A request that fails keeps none of its events, and the next one takes the next place."""
    with app.app_context():
        audit.record("case_list_viewed", detail="lost")
        db.session.rollback()
        audit.record("case_list_viewed", detail="kept")
        db.session.commit()
        rows = db.session.execute(select(AuditEvent.seq, AuditEvent.detail)).all()
    assert [tuple(row) for row in rows] == [(1, "kept")]


def test_events_are_chained_in_the_order_they_were_recorded(app):
    with app.app_context():
        for name in ("first", "second", "third"):
            audit.record("case_list_viewed", detail=name)
        db.session.commit()
        rows = db.session.execute(select(AuditEvent.detail).order_by(AuditEvent.seq)).scalars().all()
    assert rows == ["first", "second", "third"]


def test_a_failure_while_chaining_fails_the_commit(app, monkeypatch):
    """S15: no audit row, no response. The chain is extended inside the commit, so a failure there
    fails the commit and nothing of the transaction is kept."""

    def broken(*_args, **_kwargs):
        raise RuntimeError("the audit head is unavailable")

    monkeypatch.setattr(audit, "chain_digest", broken)
    with app.app_context():
        audit.record("case_list_viewed")
        with pytest.raises(RuntimeError):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_the_locked_head_waits_on_as_few_statements_as_the_database_allows(app):
    """Between locking the head and the commit, every other audited request waits: PostgreSQL moves
    the head and inserts a request's one row in a single statement, SQLite in two; the chain is intact
    either way."""

    def one_request() -> None:
        with app.app_context():
            audit.record("case_list_viewed", detail="one")
            db.session.commit()

    one_request()  # the first one creates the head
    sent = statements_during(app, one_request)
    after_lock = sent[next(number for number, sql in enumerate(sent) if sql.startswith("UPDATE audit_head")) + 1 :]
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    assert len(after_lock) == (1 if postgresql else 2), after_lock
    assert "audit_events" in after_lock[-1]
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact: 2 rows" in result.output, result.output
