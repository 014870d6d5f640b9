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
