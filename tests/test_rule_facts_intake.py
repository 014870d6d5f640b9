"""The facts the corrected rules read, recorded through the intake and edit forms: contact from the
military as several kinds, the degree's country, citizenship with a dual citizen's other country and
an estimated birth year (both encrypted), with the answers that cannot go together refused; and the
tags that follow from them."""

import html
import re
from datetime import date

from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, CaseTag, Person
from tests.test_cases_workflow import count, intake

EXCHANGE_STUDENT = {
    "date_of_birth": None,
    "birth_year_estimated": 2001,
    "citizenship": "RU+other",
    "other_citizenship": "KZ",
    "dutch_status": "exchange_student",
    "degree_country": "RU",
    "contact_kinds": ["summons_paper", "phone_call"],
    "permit_expires_on": None,
}


def test_intake_records_the_new_facts_and_tags_by_them(app, signed_in):
    """An exchange student with a Russian degree, summoned on paper and called by the commissariat,
    whose age is known only as "born in 2001": R9 applies (no Dutch degree), the contact kinds are kept
    as a set, and the other citizenship and estimated year are stored encrypted."""
    client, _volunteer = signed_in("volunteer")
    assert intake(client, **EXCHANGE_STUDENT).status_code == 302
    with app.app_context():
        case = db.session.scalars(select(Case)).one()
        person = case.person
        assert case.contact_kinds == "summons_paper,phone_call" and case.degree_country == "RU"
        assert (person.citizenship, person.other_citizenship, person.birth_year_estimated) == ("RU+other", "KZ", 2001)
        assert person.date_of_birth is None
        tags = {tag.rule_id: tag for tag in db.session.scalars(select(CaseTag).where(CaseTag.case_id == case.id))}
        assert tags["R9"].suggested and not tags["R9"].needs
        with db.engine.connect() as connection:
            raw = connection.exec_driver_sql("SELECT other_citizenship, birth_year_estimated FROM persons").one()
        assert all(value is not None and b"KZ" not in bytes(value) and b"2001" not in bytes(value) for value in raw)


def test_edit_form_shows_the_ticked_contact_kinds(app, signed_in):
    client, _volunteer = signed_in("volunteer")
    intake(client, **EXCHANGE_STUDENT)
    with app.app_context():
        case_id = db.session.scalar(select(Case.id))
    page = html.unescape(client.get(f"/cases/{case_id}/edit").get_data(as_text=True))
    for kind in ("summons_paper", "phone_call"):
        assert re.search(rf'<input checked id="contact_kinds-\d+" name="contact_kinds" type="checkbox" value="{kind}">', page), (
            kind
        )
    assert re.search(r'<input id="contact_kinds-\d+" name="contact_kinds" type="checkbox" value="visit">', page), (
        "an unticked kind"
    )


REFUSED = {
    "no contact with a kind of contact": (
        {"contact_kinds": ["none", "visit"]},
        '"No contact from the military" cannot go with a kind of contact.',
    ),
    "a date of birth and an estimated year": (
        {"date_of_birth": date(2001, 5, 5)},
        "Give either the date of birth or an estimated birth year",
    ),
    "another citizenship without dual citizenship": (
        {"citizenship": "RU"},
        'Another citizenship goes with "Russian and another".',
    ),
}


def test_answers_that_cannot_go_together_are_refused_at_their_field(app, signed_in):
    client, _volunteer = signed_in("volunteer")
    for overrides, message in REFUSED.values():
        response = intake(client, **{**EXCHANGE_STUDENT, **overrides})
        assert response.status_code == 200, overrides
        errors = re.findall(r'<ul class="errors"[^>]*>(.*?)</ul>', html.unescape(response.get_data(as_text=True)), re.S)
        assert any(message in error for error in errors), (overrides, errors)
    assert count(app, Person) == 0


def test_the_case_page_lists_the_contact_kinds(app, signed_in):
    client, _volunteer = signed_in("volunteer")
    intake(client, **EXCHANGE_STUDENT)
    with app.app_context():
        case_id = db.session.scalar(select(Case.id))
    page = html.unescape(client.get(f"/cases/{case_id}").get_data(as_text=True))
    assert "Summons on paper, Phone call from the military commissariat" in page
