"""Domain fixtures: people and cases as a volunteer or coordinator would log them."""

from datetime import date, timedelta

import pytest

from casework import clock
from casework.cases import operations
from casework.extensions import db
from casework.models import Case, Partner, User

INTAKE = {
    "consent_store": True,
    "consent_contact": True,
    "consent_partners": [],
    "consent_method": "telegram",
    "surname_latin": "Sokolov",
    "given_names_latin": "Dmitri",
    "surname_cyrillic": "Соколов",
    "given_names_cyrillic": "Дмитрий",
    "date_of_birth": date(1994, 2, 3),
    "sex": "M",
    "phone": "+79161234567",
    "telegram": "@dsokolov",
    "location": "netherlands",
    "military_situation": "reservist",
    "rank_group": "soldier",
    "dutch_status": "schengen_visa",
    "permit_expires_on": clock.today() + timedelta(days=10),
    "needs": ["legal_advice", "stay_extension"],
    "narrative": "Received a mobilisation summons in October.",
}


@pytest.fixture
def create_case(app):
    """`create_case(by=user, **overrides)` logs a case through the same rules as the intake form."""

    def create(by: User, assignee: User | None = None, **overrides) -> str:
        with app.app_context():
            actor = db.session.get(User, by.id)
            case = operations.create_case({**INTAKE, **overrides}, actor)
            if assignee is not None:
                case.assignee_id = assignee.id
            db.session.commit()
            return case.id

    return create


@pytest.fixture
def partner(app):
    with app.app_context():
        partner = Partner(name="Refugee Law Clinic")
        db.session.add(partner)
        db.session.commit()
        return partner.id


def load_case(app, case_id: str) -> Case:
    with app.app_context():
        case = db.session.get(Case, case_id)
        db.session.expunge(case)
        return case


@pytest.fixture
def full_site(app, make_user):
    """Every page with something to show: a volunteer's case with a note and a referral to a partner,
    a published statistics release, a spreadsheet import waiting for a value to be mapped, and an
    integration token in use beside a revoked one.
    Returns the two accounts and the ids for URL variables."""
    from casework.api import tokens
    from casework.imports import operations as imports
    from casework.imports.importing import check_run
    from casework.stats import operations as stats

    volunteer, coordinator = make_user("volunteer"), make_user("coordinator")
    with app.app_context():
        partner = Partner(name="Refugee Law Clinic Utrecht")
        db.session.add(partner)
        db.session.flush()
        actor = db.session.get(User, coordinator.id)
        case = operations.create_case({**INTAKE, "consent_partners": [partner.id]}, actor)
        case.assignee_id = volunteer.id
        operations.add_note(case, "Called back; he will send the summons scan tonight.", actor)
        referral = operations.refer(case, partner, "Legal advice on an asylum application", actor)
        run, sheet = imports.start_run(
            actor, "DEMO sheet.csv", "Surname;Phone;Situation\nDemoimportov;+79160000009;в бегах\n".encode()
        )
        imports.save_layout(run, sheet.headers, ["surname_latin", "phone", "military_situation"], actor)
        db.session.commit()
        check_run(run.id)
        period = stats.closed_periods()[0]
        stats.publish(stats.request_release(period, None), None)
        tokens.create("Telegram bot", "intake", None)
        tokens.revoke(tokens.create("Old web form", "statistics", None)[0], None)
        db.session.commit()
        ids = {
            "case_id": case.id,
            "referral_id": referral.id,
            "user_id": volunteer.id,
            "partner_id": partner.id,
            "rule_id": "R1",
            "period": period,
            "run_id": run.id,
        }
    return {"volunteer": volunteer, "coordinator": coordinator, "ids": ids}
