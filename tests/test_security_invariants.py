"""Invariants that a one-line change to security-critical code would break without any other test
noticing; each test here is named in tests/mutations/mutations.toml next to the change it catches."""

import hashlib
import hmac as std_hmac
from datetime import timedelta

import pytest
from flask import abort
from sqlalchemy import func, select, text

from casework import audit, clock, create_app
from casework.cases import consent, operations
from casework.clock import utcnow
from casework.crypto import DecryptionError, blind_index
from casework.extensions import db
from casework.models import AuditEvent, AuditHead, Case, Note, Partner, Person, PersonKey, User
from casework.permissions import PUBLIC, require
from casework.stats import ledger
from casework.stats import operations as stats_operations
from casework.stats.catalogue import CATALOGUE
from casework.web import CONTENT_SECURITY_POLICY
from tests.conftest import test_settings
from tests.factories import INTAKE

# S3: a ciphertext is bound to its row, also among the rows of one person.


def _second_case_of_the_same_person(app, make_user, create_case) -> tuple[str, str]:
    coordinator = make_user("coordinator")
    first = create_case(by=coordinator, narrative="The first story.")
    with app.app_context():
        person = db.session.get(Case, first).person
        second = operations.create_case(
            {**INTAKE, "narrative": "The second story."}, db.session.get(User, coordinator.id), existing_person=person
        )
        db.session.commit()
        return first, second.id


def _move(table: str, column: str, from_id: str, to_id: str) -> None:
    sealed = db.session.execute(text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": from_id}).scalar()  # noqa: S608
    db.session.execute(text(f"UPDATE {table} SET {column} = :sealed WHERE id = :id"), {"sealed": sealed, "id": to_id})  # noqa: S608
    db.session.commit()
    db.session.expire_all()


def test_a_narrative_moved_to_another_case_of_the_same_person_does_not_decrypt(app, make_user, create_case):
    first, second = _second_case_of_the_same_person(app, make_user, create_case)
    with app.app_context():
        assert db.session.get(Case, first).person_id == db.session.get(Case, second).person_id
        _move("cases", "narrative", first, second)
        with pytest.raises(DecryptionError):
            _ = db.session.get(Case, second).narrative
        assert db.session.get(Case, first).narrative == "The first story."


def test_a_note_moved_to_another_note_of_the_same_case_does_not_decrypt(app, make_user, create_case):
    coordinator = make_user("coordinator")
    case_id = create_case(by=coordinator)
    with app.app_context():
        case, actor = db.session.get(Case, case_id), db.session.get(User, coordinator.id)
        one, two = operations.add_note(case, "First note.", actor), operations.add_note(case, "Second note.", actor)
        db.session.commit()
        one_id, two_id = one.id, two.id
        _move("notes", "body", one_id, two_id)
        with pytest.raises(DecryptionError):
            _ = db.session.get(Note, two_id).body


def test_a_wrapped_data_key_moved_to_another_person_does_not_unwrap(app, make_user, create_case):
    coordinator = make_user("coordinator")
    one = create_case(by=coordinator, phone="+31611110001", surname_latin="Firstperson")
    two = create_case(by=coordinator, phone="+31611110002", surname_latin="Secondperson")
    with app.app_context():
        one_person, two_person = db.session.get(Case, one).person_id, db.session.get(Case, two).person_id
        wrapped = db.session.get(PersonKey, one_person)
        db.session.execute(
            text("UPDATE person_keys SET wrapped = :wrapped, kek_version = :version WHERE person_id = :id"),
            {"wrapped": wrapped.wrapped, "version": wrapped.kek_version, "id": two_person},
        )
        db.session.commit()
        db.session.expire_all()
        with pytest.raises(DecryptionError):
            db.session.get(Person, two_person).data_key()


# S16: each link of the audit chain depends on the one before.


def _chain(details: list[str]) -> list[dict]:
    """Start the trail afresh with these events; return their rows as stored."""
    db.session.execute(AuditEvent.__table__.delete())
    db.session.execute(AuditHead.__table__.delete())
    db.session.commit()
    for detail in details:
        audit.record("probe", detail=detail)
        db.session.commit()
    columns = AuditEvent.__table__.columns
    return [dict(row._mapping) for row in db.session.execute(select(*columns).order_by(AuditEvent.seq))]


def test_a_row_spliced_in_from_another_chain_is_found(app):
    """Two trails written with the same key (a backup and the live one): a row of the other trail put
    in place of this trail's row, with its own valid link, must not pass as this trail's row."""
    with app.app_context():
        other = _chain(["other one", "other two", "other three"])
        mine = _chain(["mine one", "mine two", "mine three"])
        assert audit.verify().first_bad_seq is None
        spliced = {key: value for key, value in other[1].items() if key != "id"}
        db.session.execute(AuditEvent.__table__.update().where(AuditEvent.seq == 2).values(**spliced))
        db.session.commit()
        assert mine[1]["detail"] != spliced["detail"]
        assert audit.verify().first_bad_seq == 2


def test_a_deleted_row_is_reported_as_missing(app):
    """The verdict says what happened, so that whoever reads it knows to look for deleted rows."""
    with app.app_context():
        _chain(["one", "two", "three", "four"])
        db.session.execute(AuditEvent.__table__.delete().where(AuditEvent.seq == 2))
        db.session.commit()
        verdict = audit.verify()
        assert verdict.first_bad_seq == 3
        assert "missing" in verdict.reason


# S5: one blind-index key per index, derived from the root, never the root itself.


def test_each_index_has_its_own_key():
    root = bytes(range(32))
    phone = blind_index(root, "persons", "phone", "+31612345678")
    assert phone != blind_index(root, "persons", "telegram", "+31612345678"), "equal values in two indexes must not be linkable"
    assert phone != blind_index(root, "contacts", "phone", "+31612345678")
    assert phone != std_hmac.new(root, b"+31612345678", hashlib.sha256).digest()[: len(phone)], "the root is never used as a key"


# Statistics: the per-table cap on privacy spending holds on its own.


def test_a_table_costing_more_than_the_table_cap_is_refused(app):
    app.config.update(CASEWORK_EPSILON_TABLE=0.1, CASEWORK_EPSILON_PERIOD=10.0, CASEWORK_EPSILON_LIFETIME=100.0)
    with app.app_context():
        with pytest.raises(ledger.BudgetRefused):
            ledger.reserve("2020Q1", {"total": 0.2})
        assert db.session.scalar(select(func.count()).select_from(ledger.LedgerEntry)) == 0


def test_a_release_spends_at_most_the_table_cap_per_table(app):
    app.config.update(CASEWORK_EPSILON_TABLE=0.05, CASEWORK_EPSILON_PERIOD=10.0, CASEWORK_EPSILON_LIFETIME=100.0)
    period = stats_operations.closed_periods()[0]
    with app.app_context():
        stats_operations.publish(stats_operations.request_release(period, None), None)
        db.session.commit()
        spent = db.session.scalars(select(ledger.LedgerEntry.epsilon + ledger.LedgerEntry.borrowed)).all()
    assert len(spent) == len(CATALOGUE)
    assert max(spent) <= 0.05 + 1e-12  # a table's true cost: its own noise and the total's it is reconciled to


# S17: the retention run erases the long-closed, and only them.


def test_retention_run_erases_people_closed_longer_than_the_period_only(app, make_user, create_case):
    coordinator = make_user("coordinator")
    long_closed = create_case(by=coordinator, phone="+31622220001", surname_latin="Longclosed")
    recently_closed = create_case(by=coordinator, phone="+31622220002", surname_latin="Recentlyclosed")
    still_open = create_case(by=coordinator, phone="+31622220003", surname_latin="Stillopen")
    with app.app_context():
        db.session.get(Case, long_closed).status, db.session.get(Case, long_closed).closed_at = (
            "closed",
            utcnow() - timedelta(days=800),
        )
        db.session.get(Case, recently_closed).status, db.session.get(Case, recently_closed).closed_at = (
            "closed",
            utcnow() - timedelta(days=30),
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["retention", "run", "--months", "24"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        erased = {
            case_id: db.session.get(Case, case_id).person.erased_at is not None
            for case_id in (long_closed, recently_closed, still_open)
        }
        assert erased == {long_closed: True, recently_closed: False, still_open: False}
        assert db.session.get(Case, long_closed).status == "closed", "the case's coded facts remain"


# S13: the whole Content-Security-Policy, not a part of it.


def test_the_content_security_policy_is_exactly_the_strict_one(client):
    expected = (
        "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    assert CONTENT_SECURITY_POLICY == expected
    for path in ("/login", "/no/such/page"):
        assert client.get(path).headers["Content-Security-Policy"] == expected, path


# One transaction per request: an error answer keeps nothing.


@pytest.fixture
def writing_app(database_url):
    """An app with views that write a row and then answer with a given status."""
    app = create_app(test_settings(database_url))

    @app.get("/probe/<int:status>")
    @require(PUBLIC)
    def probe(status: int):
        db.session.add(Partner(name=f"Written before answering {status}"))
        db.session.flush()
        if status >= 400:
            abort(status)
        return "written", status

    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("status", [400, 403, 404, 409, 429])
def test_an_error_answer_commits_nothing(writing_app, status):
    assert writing_app.test_client().get(f"/probe/{status}").status_code == status
    with writing_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Partner)) == 0


def test_a_successful_answer_commits(writing_app):
    assert writing_app.test_client().get("/probe/200").status_code == 200
    with writing_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Partner)) == 1


# S18: consent that has expired is no consent.


def test_consent_past_its_expiry_is_not_in_force(app, make_user, create_case, partner):
    coordinator = make_user("coordinator")
    yesterday = clock.today() - timedelta(days=1)
    expired = create_case(by=coordinator, phone="+31633330001", consent_partners=[partner], consent_expires_on=yesterday)
    current = create_case(by=coordinator, phone="+31633330002", consent_partners=[partner], consent_expires_on=clock.today())
    with app.app_context():
        assert not consent.standing(db.session.get(Case, expired).person).stored
        assert consent.standing(db.session.get(Case, current).person).stored
        with pytest.raises(operations.CaseRefused):
            operations.refer(
                db.session.get(Case, expired),
                db.session.get(Partner, partner),
                "Legal advice.",
                db.session.get(User, coordinator.id),
            )
