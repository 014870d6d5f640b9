"""Access exports (S18): a daily limit per coordinator, and a flag in the audit trail past it."""

from datetime import timedelta

import pytest
from flask_login import login_user
from sqlalchemy import select

from casework import audit
from casework.cases.exports import EXPORT_FLAG, ExportRefused, access_export
from casework.clock import utcnow
from casework.extensions import db
from casework.models import AuditEvent, Case, User
from tests.conftest import csrf_from


def _export_as(app, user, case_id: str):
    """What the export view does: build the archive, then record the export."""
    with app.test_request_context():
        actor = db.session.get(User, user.id)
        login_user(actor)
        case = db.session.get(Case, case_id)
        try:
            archive = access_export(case.person)
            audit.record("person_exported", case=case)
            return archive
        finally:
            db.session.commit()


def _actions(app, user) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.seq)))


def test_past_the_daily_limit_an_export_is_refused_and_flagged(app, make_user, create_case):
    app.config["CASEWORK_EXPORTS_PER_DAY"] = 3
    coordinator = make_user("coordinator")
    cases = [create_case(by=coordinator, phone=f"+3161200{number:04d}", surname_latin=f"Export{number}") for number in range(5)]
    for case_id in cases[:3]:
        assert _export_as(app, coordinator, case_id).getbuffer().nbytes > 0
    with pytest.raises(ExportRefused) as refused:
        _export_as(app, coordinator, cases[3])
    assert "24 hours" in str(refused.value)
    actions = _actions(app, coordinator)
    assert actions.count("person_exported") == 3
    assert actions.count(EXPORT_FLAG) == 1, "the refusal is flagged for the other coordinators"


def test_the_limit_is_per_coordinator(app, make_user, create_case):
    app.config["CASEWORK_EXPORTS_PER_DAY"] = 1
    first, second = make_user("coordinator"), make_user("coordinator")
    case_id = create_case(by=first)
    _export_as(app, first, case_id)
    with pytest.raises(ExportRefused):
        _export_as(app, first, case_id)
    assert _export_as(app, second, case_id).getbuffer().nbytes > 0


def test_exports_older_than_a_day_do_not_count(app, make_user, create_case):
    app.config["CASEWORK_EXPORTS_PER_DAY"] = 1
    coordinator = make_user("coordinator")
    case_id = create_case(by=coordinator)
    _export_as(app, coordinator, case_id)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "person_exported"))
        event.at = utcnow() - timedelta(hours=25)
        db.session.commit()
    assert _export_as(app, coordinator, case_id).getbuffer().nbytes > 0


def test_on_the_web_the_refusal_is_a_429_and_its_flag_is_kept(app, signed_in, create_case):
    app.config["CASEWORK_EXPORTS_PER_DAY"] = 1
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    token = csrf_from(page)
    assert client.post(f"/cases/{case_id}/export", data={"csrf_token": token}).status_code == 200
    refused = client.post(f"/cases/{case_id}/export", data={"csrf_token": token})
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    assert _actions(app, coordinator).count(EXPORT_FLAG) == 1
