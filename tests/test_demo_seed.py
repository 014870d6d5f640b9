"""`demo seed` leaves the trail a real intake would: each case's creation, and its assignment."""

from sqlalchemy import func, select

from casework.extensions import db
from casework.models import AuditEvent, Case


def test_seeded_cases_are_audited_like_an_intake(app, runner):
    result = runner.invoke(args=["demo", "seed", "--cases", "12", "--seed", "7"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        cases = db.session.scalars(select(Case)).all()
        created = dict(
            db.session.execute(select(AuditEvent.case_id, AuditEvent.actor_id).where(AuditEvent.action == "case_created")).all()
        )
        assigned = db.session.execute(
            select(AuditEvent.case_id, AuditEvent.target_user_id).where(AuditEvent.action == "case_assigned")
        ).all()
        assert (
            db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "case_created"))
            == len(cases)
            == 12
        )
        assert created == {case.id: case.created_by_id for case in cases}
        assert sorted(assigned) == sorted((case.id, case.assignee_id) for case in cases if case.assignee_id)
        assert all(event.person_id for event in db.session.scalars(select(AuditEvent).where(AuditEvent.case_id.is_not(None))))
    verdict = runner.invoke(args=["audit", "verify"])
    assert verdict.exit_code == 0, verdict.output
