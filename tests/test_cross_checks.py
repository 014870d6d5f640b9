"""Answers that contradict each other or cannot be true are refused at the field to correct, with a
translated message, and the intake and edit forms keep everything typed (casework/cases/cross_checks)."""

import re
from datetime import date, timedelta

import pytest
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select

from casework import clock
from casework.cases import cross_checks
from casework.extensions import db
from casework.models import Case
from tests.test_cases_workflow import intake, page_text, token

TODAY = date(2026, 12, 2)
BORN = date(1994, 2, 3)
#: A complete, consistent case's answers, as a form's data holds them.
VALID = {
    "surname_latin": "Sokolov",
    "date_of_birth": BORN,
    "phone": "+79161234567",
    "contact_kinds": ["summons_electronic"],
    "summons_purpose": "mobilisation",
    "summons_posted_on": date(2026, 10, 1),
    "summons_appear_on": date(2026, 10, 15),
    "military_situation": "reservist",
    "permit_expires_on": date(2027, 3, 1),
}

#: name: (changed answers, the field the problem is shown at, words of its message)
PROBLEMS = {
    "summons posted in the future": (
        {"summons_posted_on": date(2029, 1, 1), "summons_appear_on": None},
        "summons_posted_on",
        "cannot be in the future",
    ),
    "desertion in 2040": (
        {"deserted_on": date(2040, 1, 1), "military_situation": "deserted_contract"},
        "deserted_on",
        "cannot be in the future",
    ),
    "entry in the future": ({"entry_on": TODAY + timedelta(days=1)}, "entry_on", "cannot be in the future"),
    "asylum application in the future": (
        {"asylum_applied_on": TODAY + timedelta(days=3)},
        "asylum_applied_on",
        "cannot be in the future",
    ),
    "summons before birth": (
        {"summons_posted_on": date(1990, 5, 1), "summons_appear_on": None},
        "summons_posted_on",
        "before the person's birth",
    ),
    "degree before an estimated birth year": (
        {"date_of_birth": None, "birth_year_estimated": 1997, "degree_completed_on": date(1996, 6, 1)},
        "degree_completed_on",
        "before the person's birth",
    ),
    "appear before posting": ({"summons_appear_on": date(2026, 9, 1)}, "summons_appear_on", "before the summons was posted"),
    "decision before application": (
        {"asylum_applied_on": date(2025, 5, 1), "asylum_decided_on": date(2025, 1, 1)},
        "asylum_decided_on",
        "before the application",
    ),
    "permit expiry in 1899": ({"permit_expires_on": date(1899, 1, 1)}, "permit_expires_on", "check the year"),
    "permit expiry decades away": ({"permit_expires_on": date(2070, 1, 1)}, "permit_expires_on", "check the year"),
    "no contact with a summons": ({"contact_kinds": ["none"]}, "contact_kinds", "cannot go with a summons"),
    "summons dates without a summons": ({"contact_kinds": ["phone_call"]}, "contact_kinds", "tick how the summons came"),
    "never served with a summons": ({"military_situation": "never_served"}, "military_situation", 'not "never served"'),
    "desertion date for someone never serving": (
        {"military_situation": "conscription_age", "deserted_on": date(2025, 1, 1)},
        "deserted_on",
        "desertion date",
    ),
    "exit ban date without a ban": ({"exit_ban": "no", "exit_ban_on": date(2026, 10, 2)}, "exit_ban_on", "exit ban"),
    "deferral end without a deferral": ({"deferral": "none", "deferral_until": date(2027, 1, 1)}, "deferral_until", "deferral"),
    "no name and no alias": ({"surname_latin": None}, "surname_latin", "or an alias"),
    "no contact and no choice": ({"phone": None}, "phone", "no contact details"),
    "contact details and 'none' ticked": ({"no_contact_details": True}, "no_contact_details", "untick"),
}


def test_a_consistent_case_passes():
    assert cross_checks.problems(VALID, TODAY) == []


def test_an_alias_and_the_explicit_no_contact_choice_are_enough():
    assert cross_checks.problems({"alias": "Misha", "no_contact_details": True}, TODAY) == []


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_each_cross_check_reports_at_its_field(name):
    changes, field, words = PROBLEMS[name]
    found = cross_checks.problems({**VALID, **changes}, TODAY)
    assert [where for where, _message in found] == [field], found
    assert words in str(found[0][1])


def test_summons_dates_with_contact_not_known_are_accepted():
    """Nothing ticked means not known: the dates alone do not contradict anything."""
    assert cross_checks.problems({**VALID, "contact_kinds": []}, TODAY) == []


# Through the forms -------------------------------------------------------------------------------

WEB = {
    "summons in 2029": (
        {"contact_kinds": ["summons_electronic"], "summons_posted_on": date(2029, 1, 1)},
        "summons_posted_on",
        "This date cannot be in the future.",
        'value="2029-01-01"',
    ),
    "never served with a summons": (
        {"military_situation": "never_served", "contact_kinds": ["summons_paper"]},
        "military_situation",
        'not "never served"',
        '<option selected value="never_served">',
    ),
    "empty case": (
        {"surname_latin": None, "surname_cyrillic": None, "phone": None, "telegram": None},
        "phone",
        "no contact details",
        'value="Дмитрий"',
    ),
}


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Case))


@pytest.mark.parametrize("name", list(WEB))
def test_intake_refuses_a_contradiction_at_its_field_and_keeps_the_input(app, signed_in, name):
    changes, field, message, kept = WEB[name]
    client, _volunteer = signed_in("volunteer")
    response = intake(client, **changes)
    assert response.status_code == 200
    page = page_text(response)
    errors = re.search(rf'<ul class="errors" id="{field}-errors">(.*?)</ul>', page, re.S)
    assert errors and message in errors.group(1), f"no message at {field}"
    assert kept in page and "Received a mobilisation summons in October." in page, "the input was lost"
    assert _count(app) == 0


def test_every_message_is_translatable():
    """Each message is a lazy translation, rendered in the reader's language (catalogues: translations/)."""
    for changes, _field, _words in PROBLEMS.values():
        for _where, message in cross_checks.problems({**VALID, **changes}, TODAY):
            assert isinstance(message, LazyString), message


def test_a_case_with_an_alias_and_no_contact_details_saves(app, signed_in):
    client, _volunteer = signed_in("volunteer")
    response = intake(
        client,
        surname_latin=None,
        surname_cyrillic=None,
        given_names_latin=None,
        given_names_cyrillic=None,
        phone=None,
        telegram=None,
        alias="Misha",
        no_contact_details=True,
    )
    assert response.status_code == 302, page_text(response)[:500]
    page = page_text(client.get(response.headers["Location"]))
    assert '"Misha" (alias)' in page


def test_edit_refuses_a_contradiction_too(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, assignee=volunteer)
    form = {
        "csrf_token": token(client, f"/cases/{case_id}/edit"),
        "version": "1",
        "surname_latin": "Sokolov",
        "phone": "+79161234567",
        "date_of_birth": "1994-02-03",
        "asylum_applied_on": "2025-05-01",
        "asylum_decided_on": "2025-01-01",
    }
    response = client.post(f"/cases/{case_id}/edit", data=form)
    assert response.status_code == 200
    assert "The asylum decision cannot come before the application." in page_text(response)


def test_an_approximate_age_is_saved_as_an_estimated_birth_year(app, signed_in):
    client, _volunteer = signed_in("volunteer")
    response = intake(client, date_of_birth=None, approximate_age=29)
    assert response.status_code == 302, page_text(response)[:300]
    facts = re.search(r'<dl class="facts">(.*?)</dl>', page_text(client.get(response.headers["Location"])), re.S).group(1)
    assert f"{clock.today().year - 29} (estimated)" in facts


def test_an_approximate_age_goes_alone(app, signed_in):
    client, _volunteer = signed_in("volunteer")
    response = intake(client, approximate_age=29)  # INTAKE has a date of birth
    assert response.status_code == 200
    assert "only one" in page_text(response)


def test_since_when_in_the_present_country_is_kept_and_checked(app, signed_in):
    client, _volunteer = signed_in("volunteer")
    assert "cannot be in the future" in page_text(intake(client, present_country_since=clock.today() + timedelta(days=2)))
    response = intake(client, present_country_since=date(2022, 9, 25))
    facts = re.search(r'<dl class="facts">(.*?)</dl>', page_text(client.get(response.headers["Location"])), re.S).group(1)
    assert "<dt>In this country since</dt><dd>Sep 25, 2022</dd>" in facts
