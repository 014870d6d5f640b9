"""Every case page says what to ask next (the empty facts that would settle a proposal tag, each
linked to its field), the missing-information queue names them per case, and every fact entered is
shown among the case's facts."""

import re
from datetime import date

from sqlalchemy import select

from casework.cases.forms import SECTIONS
from casework.cases.operations import CASE_FIELDS, PERSON_FIELDS
from casework.extensions import db
from casework.models import Case, CaseTag
from tests.conftest import csrf_from
from tests.test_cases_workflow import page_text

#: The issue's reservist: a sergeant in Kazakhstan with an electronic summons; his date of birth was not asked.
RESERVIST = {
    "location": "kazakhstan",
    "city": "Almaty",
    "military_situation": "reservist",
    "rank_group": "soldier",
    "sex": "M",
    "date_of_birth": None,
    "contact_kinds": "summons_electronic",
    "summons_purpose": "mobilisation",
    "dutch_status": None,
    "permit_expires_on": None,
    "citizenship": "RU",
    "needs": ["legal_advice"],
}


def _ask_next(page: str) -> str:
    section = re.search(r'<section aria-labelledby="ask-heading" id="ask-next">(.*?)</section>', page, re.S)
    assert section, "no 'What to ask next' on the case page"
    return section.group(1)


def test_the_case_page_asks_for_the_fact_that_would_settle_a_tag(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, assignee=volunteer, **RESERVIST)
    with app.app_context():
        undecided = db.session.scalars(select(CaseTag).where(CaseTag.case_id == case_id, CaseTag.needs != "")).all()
        assert undecided, "without a date of birth some rule cannot decide"
        rules = {tag.rule_id for tag in undecided}
    ask = _ask_next(page_text(client.get(f"/cases/{case_id}")))
    assert f'href="/cases/{case_id}/edit?section=person#date_of_birth">Date of birth</a>' in ask
    assert any(rule in ask for rule in rules)
    assert "Rank group" not in ask and "Sex<" not in ask, "facts already answered are not asked again"


def test_a_case_the_rules_can_decide_asks_nothing(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, assignee=volunteer, **{**RESERVIST, "date_of_birth": date(1997, 5, 1)})
    with app.app_context():
        pending = db.session.scalars(select(CaseTag).where(CaseTag.case_id == case_id, CaseTag.needs != "")).all()
    ask = _ask_next(page_text(client.get(f"/cases/{case_id}")))
    if not pending:
        assert "Nothing the rules need is missing." in ask
    else:
        assert "Date of birth" not in ask


def test_the_missing_information_queue_names_the_fact_per_case(app, signed_in, make_user, create_case):
    client, coordinator = signed_in("coordinator")
    create_case(by=coordinator, **RESERVIST)
    page = page_text(client.get("/cases/missing"))
    row = re.search(r"<tr>\s*<td data-label=\"Person\">.*?Sokolov.*?</tr>", page, re.S)
    assert row and "Date of birth" in row.group(0)


def test_every_fact_entered_is_shown(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(
        by=volunteer,
        assignee=volunteer,
        **{
            **RESERVIST,
            "date_of_birth": None,
            "birth_year_estimated": 1997,
            "reserve_category": "1",
            "specialty_code": "100182",
            "exit_ban": "yes",
            "summons_posted_on": date(2026, 10, 1),
        },
    )
    facts = re.search(r'<dl class="facts">(.*?)</dl>', page_text(client.get(f"/cases/{case_id}")), re.S).group(1)
    for label, value in (
        ("Rank group", "Soldier, sergeant or warrant officer"),
        ("Citizenship", "Russian only"),
        ("Reserve category", "Category 1"),
        ("Military registration specialty (VUS code)", "100182"),
        ("City", "Almaty"),
        ("Exit ban notified", "Yes"),
        ("Contact from the military", "Electronic summons (state portal)"),
        ("Needs", "Legal advice"),
        ("Estimated birth year, when only an approximate age is known", "1997 (estimated)"),
        ("Summons posted on", "Oct 1, 2026"),
    ):
        assert f"<dt>{label}</dt><dd>{value}" in facts, f"{label}: {value} not shown"


def test_a_section_is_saved_on_its_own_and_keeps_every_other_answer(app, signed_in, create_case):
    """The link from "What to ask next" opens one section; saving it changes that section only."""
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, assignee=volunteer, **RESERVIST)
    page = page_text(client.get(f"/cases/{case_id}/edit?section=person"))
    assert 'name="date_of_birth"' in page and 'name="rank_group"' not in page and 'name="phone"' not in page
    response = client.post(
        f"/cases/{case_id}/edit?section=person",
        data={
            "csrf_token": csrf_from(page),
            "version": re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1),
            "date_of_birth": "1997-05-01",
            "sex": "M",
            "citizenship": "RU",
        },
    )
    assert response.status_code == 302, page_text(response)[:400]
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.person.date_of_birth == date(1997, 5, 1)
        assert (case.rank_group, case.contact_kinds, case.location, case.person.phone, case.need_codes) == (
            "soldier",
            "summons_electronic",
            "kazakhstan",
            "+79161234567",
            ["legal_advice"],
        )
        assert case.narrative == "Received a mobilisation summons in October." and case.person.surname_cyrillic == "Соколов"


def test_every_stored_fact_is_in_exactly_one_section_of_the_form():
    """The stored facts are listed for saving (`operations.PERSON_FIELDS`, `CASE_FIELDS`) and grouped
    for the form (`forms.SECTIONS`). Saving one section takes every other answer from the sections'
    fields (`forms.saved_values`): a fact stored but in no section would be emptied by that save."""
    in_sections = [name for _key, _title, fields, _folded in SECTIONS for name in fields]
    stored = {*PERSON_FIELDS, *CASE_FIELDS}
    assert sorted(name for name in set(in_sections) if in_sections.count(name) > 1) == []
    assert sorted(stored - set(in_sections)) == []
    assert sorted(set(in_sections) - stored) == ["approximate_age", "needs"]


def test_sections_are_offered_by_relevance(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    in_kazakhstan = page_text(client.get(f"/cases/{create_case(by=volunteer, assignee=volunteer, **RESERVIST)}"))
    assert "section=military" in in_kazakhstan and "section=netherlands" not in in_kazakhstan
    woman_in_nl = page_text(
        client.get(f"/cases/{create_case(by=volunteer, assignee=volunteer, sex='F', phone='+31612345678', contact_kinds='none')}")
    )
    assert "section=netherlands" in woman_in_nl and "section=military" not in woman_in_nl and "section=summons" not in woman_in_nl
