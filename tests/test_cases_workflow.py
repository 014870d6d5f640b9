"""A case's life through the web: intake with consent first and duplicate detection, editing without
silent overwrites, status, append-only notes, encrypted documents, several cases per person, the
access export and erasure (domain.md "Facts of a case"; security.md S5, S6, S18)."""

import html
import io
import json
import re
import zipfile
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from casework import clock, jobs
from casework.extensions import db
from casework.models import AuditEvent, Case, Document, Note, Person, PersonKey
from tests.conftest import csrf_from
from tests.factories import INTAKE

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00 This program cannot be run in DOS mode."


# Helpers -------------------------------------------------------------------------------------


def token(client, path: str = "/") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def as_form(data: dict) -> dict:
    """Model-level values as a browser would post them: dates as ISO text, ticked boxes as "y",
    unticked boxes and empty values left out, lists as repeated fields."""
    form = {}
    for name, value in data.items():
        if value is None or value is False or value == []:
            continue
        if value is True:
            form[name] = "y"
        elif isinstance(value, date):
            form[name] = value.isoformat()
        elif isinstance(value, list):
            form[name] = [str(item) for item in value]
        else:
            form[name] = str(value)
    return form


def intake(client, csrf: str | None = None, headers=None, **overrides):
    """POST the intake form with INTAKE's values, changed by `overrides` (None leaves a field out)."""
    data = as_form({**INTAKE, **overrides})
    data["csrf_token"] = csrf or token(client, "/cases/new")
    return client.post("/cases/new", data=data, headers=headers or {})


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def case_id_from(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    match = re.search(r"/cases/([0-9a-f-]{36})$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def person_of(app, case_id: str) -> str:
    with app.app_context():
        return db.session.get(Case, case_id).person_id


def audit_actions(app, case_id: str) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)).all()


# Intake --------------------------------------------------------------------------------------


def test_intake_without_consent_is_refused_and_keeps_every_value(app, signed_in):
    """Consent to store comes first: without it nothing is saved, and nothing typed is lost."""
    client, _volunteer = signed_in("volunteer")
    response = intake(client, consent_store=False)
    assert response.status_code == 200
    page = page_text(response)
    assert "Without consent to store the data nothing can be saved." in page
    assert count(app, Person) == 0 and count(app, Case) == 0
    for value in (
        'value="Соколов"',
        'value="Дмитрий"',
        'value="Sokolov"',
        'value="+79161234567"',
        'value="@dsokolov"',
        'value="1994-02-03"',
    ):
        assert value in page, f"{value} was lost"
    assert INTAKE["narrative"] in page
    assert re.search(r'<option selected value="netherlands">', page), "a chosen option was lost"
    assert re.search(r'<input checked id="needs-\d+" name="needs" type="checkbox" value="stay_extension">', page), (
        "a ticked need was lost"
    )


def test_intake_without_consent_in_russian(app, signed_in):
    client, _volunteer = signed_in("volunteer")
    page = page_text(intake(client, consent_store=False, headers={"Accept-Language": "ru"}))
    assert 'lang="ru"' in page
    assert "Without consent to store the data nothing can be saved." not in page
    message = re.search(r'<ul class="errors" id="consent_store-errors">(.*?)</ul>', page, re.S)
    assert message and "согласи" in message.group(1), "the refusal is not shown in Russian next to the consent box"
    assert count(app, Person) == 0


#: Computed when the module is imported: the future birth date is a month ahead, not a day, so that
#: a run that crosses midnight in Amsterdam still sends a date in the future (a day ahead failed CI).
_NEXT_MONTH = clock.today() + timedelta(days=30)

INVALID = {
    "bad phone": ({"phone": "call me maybe"}, "This does not look like a phone number.", 'value="call me maybe"'),
    "future birth": ({"date_of_birth": _NEXT_MONTH}, "This date cannot be in the future.", f'value="{_NEXT_MONTH}"'),
    "200 days used": ({"days_used": 200}, "between 0 and 90", 'value="200"'),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_intake_with_a_wrong_value_shows_the_field_message_and_keeps_input(app, signed_in, case):
    overrides, message, kept = INVALID[case]
    client, _volunteer = signed_in("volunteer")
    response = intake(client, **overrides)
    assert response.status_code == 200
    page = page_text(response)
    assert message in page
    assert 'class="errors"' in page and 'aria-invalid="true"' in page, "the message is not tied to its field"
    assert kept in page and 'value="Соколов"' in page and INTAKE["narrative"] in page
    assert count(app, Person) == 0


@pytest.mark.parametrize("case", list(INVALID))
def test_intake_field_messages_in_russian(app, signed_in, case):
    """A Russian-speaking volunteer reads the field messages in Russian, not in English."""
    overrides, message, _kept = INVALID[case]
    client, _volunteer = signed_in("volunteer")
    page = page_text(intake(client, headers={"Accept-Language": "ru"}, **overrides))
    errors = re.findall(r'<ul class="errors"[^>]*>(.*?)</ul>', page, re.S)
    assert errors, "no field message at all"
    assert message not in page
    assert all(re.search("[а-яА-Я]", error) for error in errors), f"an untranslated message: {errors}"
    assert count(app, Person) == 0


def test_valid_intake_by_a_volunteer_creates_person_and_case_assigned_to_them(app, signed_in):
    client, volunteer = signed_in("volunteer")
    response = intake(client)
    case_id = case_id_from(response)
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.assignee_id == volunteer.id and case.created_by_id == volunteer.id
        assert case.person.surname_cyrillic == "Соколов" and case.narrative == INTAKE["narrative"]
        assert not case.possible_duplicate
    assert count(app, Person) == 1
    page = page_text(client.get(response.headers["Location"]))
    assert "Соколов Дмитрий" in page and "Sokolov Dmitri" in page
    assert "The case was saved." in page


# Duplicates ----------------------------------------------------------------------------------

#: The same man as INTAKE's Sokolov, typed by someone else: German spelling, phone written differently.
SAME_MAN = {
    "surname_latin": "Sokolow",
    "given_names_latin": "Dmitrij",
    "surname_cyrillic": None,
    "given_names_cyrillic": None,
    "phone": "+7 (916) 123-45-67",
    "telegram": None,
}


def test_volunteer_intake_of_a_known_person_is_queued_without_revealing_who(app, signed_in, make_user, create_case):
    """S14/S5: the case goes to the coordinators' duplicate queue; the volunteer sees only what they typed."""
    existing = person_of(app, create_case(by=make_user("coordinator")))  # Sokolov / Соколов, not this volunteer's
    client, _volunteer = signed_in("volunteer")
    response = intake(client, duplicate_choice=existing, **SAME_MAN)  # a coordinator's answer, forged
    case_id = case_id_from(response)
    with app.app_context():
        assert jobs.run_queued() == 1, "the duplicate check runs after the intake, not in it"
    assert count(app, Person) == 2, "a volunteer cannot attach a case to someone they cannot see"
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.possible_duplicate and case.person_id != existing
    page = page_text(client.get(response.headers["Location"]))
    assert "possible match" not in page.lower(), "S21: the volunteer is told nothing (tests/test_insider_reads.py)"
    assert "Sokolow" in page
    for hidden in ("Sokolov", "Соколов", "Дмитрий", "@dsokolov"):
        assert hidden not in page, f"the volunteer saw {hidden}"


def test_coordinator_intake_shows_candidates_and_can_attach_to_the_existing_person(app, signed_in, create_case):
    client, coordinator = signed_in("coordinator")
    first = create_case(by=coordinator)
    existing = person_of(app, first)

    shown = intake(client, **SAME_MAN)
    assert shown.status_code == 200
    page = page_text(shown)
    assert "Possible duplicates" in page and "Sokolov Dmitri / Соколов Дмитрий" in page
    assert f'value="{existing}"' in page
    assert count(app, Case) == 1, "nothing is saved until the coordinator answers"

    chosen = intake(client, csrf_from(page), duplicate_choice=existing, **SAME_MAN)
    second = case_id_from(chosen)
    assert person_of(app, second) == existing
    assert count(app, Person) == 1


def test_coordinator_intake_can_answer_that_it_is_a_new_person(app, signed_in, create_case):
    client, coordinator = signed_in("coordinator")
    first = create_case(by=coordinator)
    page = page_text(intake(client, **SAME_MAN))
    second = case_id_from(intake(client, csrf_from(page), duplicate_choice="new", **SAME_MAN))
    assert person_of(app, second) != person_of(app, first)
    assert count(app, Person) == 2


def test_coordinator_intake_cannot_attach_to_a_person_who_is_not_a_candidate(app, signed_in, create_case):
    """The choice must be one of the matches shown, not any person id."""
    client, coordinator = signed_in("coordinator")
    create_case(by=coordinator)
    stranger = person_of(
        app,
        create_case(
            by=coordinator,
            surname_latin="Abramov",
            surname_cyrillic="Абрамов",
            given_names_latin="Ilya",
            given_names_cyrillic="Илья",
            phone="+79160000001",
            telegram="@abramov",
            date_of_birth=date(1990, 1, 1),
        ),
    )
    page = page_text(intake(client, **SAME_MAN))
    response = intake(client, csrf_from(page), duplicate_choice=stranger, **SAME_MAN)
    assert response.status_code == 400
    assert count(app, Case) == 2


@pytest.fixture
def flagged(app, make_user, create_case, signed_in):
    """An existing case of Sokolov, and a volunteer's new, flagged case of "Sokolow" with a note."""
    existing = create_case(by=make_user("coordinator"))
    client, _volunteer = signed_in("volunteer")
    flagged_case = case_id_from(intake(client, **SAME_MAN))
    with app.app_context():
        jobs.run_queued()
    note = client.post(f"/cases/{flagged_case}/notes", data={"csrf_token": token(client), "body": "He called from Tbilisi."})
    assert note.status_code == 302
    return existing, flagged_case


def test_coordinator_attaches_a_flagged_case_to_the_existing_person(app, signed_in, flagged):
    """The duplicate page answers "same person": the case moves, its notes stay readable."""
    existing, flagged_case = flagged
    client, _coordinator = signed_in("coordinator")
    assert "possible duplicate" in page_text(client.get("/cases/duplicates"))
    check = client.get(f"/cases/{flagged_case}/duplicate")
    assert check.status_code == 200
    page = page_text(check)
    person = person_of(app, existing)
    assert "Sokolov Dmitri / Соколов Дмитрий" in page and f'value="{person}"' in page
    old_person = person_of(app, flagged_case)

    response = client.post(f"/cases/{flagged_case}/duplicate", data={"csrf_token": csrf_from(page), "choice": person})
    assert response.status_code == 302
    with app.app_context():
        case = db.session.get(Case, flagged_case)
        assert case.person_id == person and not case.possible_duplicate
        assert db.session.get(PersonKey, old_person) is None, "the duplicate person record is erased"
    view = page_text(client.get(f"/cases/{flagged_case}"))
    assert "He called from Tbilisi." in view
    assert "Соколов" in view
    assert "duplicate_resolved" in audit_actions(app, flagged_case)


def test_coordinator_marks_a_flagged_case_as_a_different_person(app, signed_in, flagged):
    _existing, flagged_case = flagged
    client, _coordinator = signed_in("coordinator")
    before = person_of(app, flagged_case)
    csrf = csrf_from(client.get(f"/cases/{flagged_case}/duplicate").get_data(as_text=True))
    assert client.post(f"/cases/{flagged_case}/duplicate", data={"csrf_token": csrf, "choice": "different"}).status_code == 302
    with app.app_context():
        case = db.session.get(Case, flagged_case)
        assert case.person_id == before and not case.possible_duplicate
        assert case.person.surname_latin == "Sokolow"
    assert "Sokolow" not in page_text(client.get("/cases/duplicates"))


# Editing -------------------------------------------------------------------------------------


def edit_form(page: str) -> dict:
    """The values a browser would send back from the edit page, parsed from its inputs."""
    form = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        form.setdefault(name.group(1), []).append(html.unescape(value.group(1)) if value else "")
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option selected value="([^"]*)"', options)
        form[name] = [selected.group(1) if selected else ""]
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        form[name] = [html.unescape(body).strip()]
    return form


def test_edit_form_carries_every_value(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)
    form = edit_form(client.get(f"/cases/{case_id}/edit").get_data(as_text=True))
    assert form["surname_cyrillic"] == ["Соколов"] and form["phone"] == ["+79161234567"]
    assert form["dutch_status"] == ["schengen_visa"] and form["narrative"] == [INTAKE["narrative"]]
    assert sorted(form["needs"]) == ["legal_advice", "stay_extension"]
    with app.app_context():
        assert form["version"] == [str(db.session.get(Case, case_id).version)]


def test_concurrent_edit_is_refused_with_409_and_keeps_both_the_input_and_the_first_save(app, signed_in, create_case):
    """Two people open the same case; the second save must never silently overwrite the first."""
    first_client, volunteer = signed_in("volunteer")
    second_client, _coordinator = signed_in("coordinator")
    case_id = create_case(by=volunteer)
    first = edit_form(first_client.get(f"/cases/{case_id}/edit").get_data(as_text=True))
    second = edit_form(second_client.get(f"/cases/{case_id}/edit").get_data(as_text=True))

    saved = first_client.post(f"/cases/{case_id}/edit", data={**first, "narrative": "First save: he crossed into Georgia."})
    assert saved.status_code == 302

    stale = second_client.post(
        f"/cases/{case_id}/edit", data={**second, "narrative": "Second save: he is in Armenia.", "city": "Yerevan"}
    )
    assert stale.status_code == 409
    page = page_text(stale)
    assert "Someone else changed this case while you were editing." in page
    assert "Second save: he is in Armenia." in page and 'value="Yerevan"' in page, "the user's input was lost"
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.narrative == "First save: he crossed into Georgia." and case.city is None

    again = edit_form(stale.get_data(as_text=True))
    assert again["version"] != second["version"], "the refused form must carry the current version"
    assert second_client.post(f"/cases/{case_id}/edit", data=again).status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.narrative == "Second save: he is in Armenia." and case.city == "Yerevan"


def test_edit_recomputes_deadlines(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)
    form = edit_form(client.get(f"/cases/{case_id}/edit").get_data(as_text=True))
    expiry = clock.today() + timedelta(days=200)
    assert (
        client.post(
            f"/cases/{case_id}/edit", data={**form, "dutch_status": "student", "permit_expires_on": expiry.isoformat()}
        ).status_code
        == 302
    )
    with app.app_context():
        kinds = dict(db.session.get(Case, case_id).deadlines)
    assert kinds["permit_expiry"] == expiry and "extension_window" in kinds


# Status --------------------------------------------------------------------------------------


def test_closing_needs_an_outcome_and_reopening_is_audited(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)
    csrf = token(client)

    refused = client.post(f"/cases/{case_id}/status", data={"csrf_token": csrf, "status": "closed", "outcome": ""})
    assert refused.status_code == 400
    assert "Choose the outcome of a closed case." in page_text(refused)
    with app.app_context():
        assert db.session.get(Case, case_id).status == "new"

    assert (
        client.post(f"/cases/{case_id}/status", data={"csrf_token": csrf, "status": "closed", "outcome": "resolved"}).status_code
        == 302
    )
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.status, case.outcome) == ("closed", "resolved") and case.closed_at is not None

    assert client.post(f"/cases/{case_id}/status", data={"csrf_token": csrf, "status": "active"}).status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.status, case.outcome, case.closed_at) == ("active", None, None)
    assert audit_actions(app, case_id)[-2:] == ["case_status_changed", "case_reopened"]


# Notes ---------------------------------------------------------------------------------------


def test_notes_have_no_route_to_change_or_delete_them(app):
    """Notes are append-only: no URL rule for notes takes PUT, PATCH or DELETE or edits."""
    note_rules = [rule for rule in app.url_map.iter_rules() if "note" in rule.endpoint or "note" in rule.rule]
    assert note_rules, "no note routes at all"
    for rule in note_rules:
        assert not rule.methods & {"PUT", "PATCH", "DELETE"}, rule
        assert "edit" not in rule.endpoint and "delete" not in rule.endpoint and "<note_id>" not in rule.rule, rule


def test_a_correction_is_a_new_note_pointing_at_the_earlier_one(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)
    csrf = token(client)
    assert client.post(f"/cases/{case_id}/notes", data={"csrf_token": csrf, "body": "Appointment on Monday."}).status_code == 302
    with app.app_context():
        earlier = db.session.scalar(select(Note.id).where(Note.case_id == case_id))
    page = page_text(client.get(f"/cases/{case_id}"))
    assert f'value="{earlier}"' in page, "the case page offers the earlier note to correct"

    correction = {"csrf_token": csrf, "body": "Correction: the appointment is on Tuesday.", "corrects": earlier}
    assert client.post(f"/cases/{case_id}/notes", data=correction).status_code == 302
    with app.app_context():
        notes = db.session.scalars(select(Note).where(Note.case_id == case_id).order_by(Note.created_at)).all()
        assert [(note.body, note.corrects_id) for note in notes] == [
            ("Appointment on Monday.", None),
            ("Correction: the appointment is on Tuesday.", earlier),
        ]
        assert notes[1].author_id == volunteer.id
    page = page_text(client.get(f"/cases/{case_id}"))
    assert "Appointment on Monday." in page and "corrects an earlier note" in page


def test_a_note_cannot_correct_a_note_of_another_case(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    one = create_case(by=volunteer)
    other = create_case(by=volunteer, surname_latin="Abramov", phone="+79160000001")
    csrf = token(client)
    client.post(f"/cases/{other}/notes", data={"csrf_token": csrf, "body": "On the other case."})
    with app.app_context():
        foreign = db.session.scalar(select(Note.id).where(Note.case_id == other))
    response = client.post(f"/cases/{one}/notes", data={"csrf_token": csrf, "body": "Sneaky", "corrects": foreign})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Note).where(Note.case_id == one)) == 0


def test_an_empty_note_is_refused(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)
    response = client.post(f"/cases/{case_id}/notes", data={"csrf_token": token(client), "body": "  "})
    assert response.status_code == 400
    assert "Write the note first." in page_text(response)
    assert count(app, Note) == 0


# Documents -----------------------------------------------------------------------------------


def test_uploaded_document_is_listed_and_downloaded_unchanged_under_a_neutral_name(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)
    name = "повестка-Соколов.png"
    response = client.post(f"/cases/{case_id}/documents", data={"csrf_token": token(client), "upload": (io.BytesIO(PNG), name)})
    assert response.status_code == 302
    page = page_text(client.get(f"/cases/{case_id}"))
    assert name in page
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.case_id == case_id))
        assert document.content_type == "image/png" and document.uploaded_by_id == volunteer.id
        document_id = document.id
    assert f"/cases/{case_id}/documents/{document_id}" in page

    download = client.get(f"/cases/{case_id}/documents/{document_id}")
    assert download.status_code == 200
    assert download.data == PNG
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "повестка" not in html.unescape(disposition) and "Sokolov" not in disposition and "%D0" not in disposition
    assert disposition.endswith(".png") or ".png" in disposition
    assert download.mimetype == "image/png"


def test_an_executable_renamed_pdf_is_refused(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)
    response = client.post(
        f"/cases/{case_id}/documents", data={"csrf_token": token(client), "upload": (io.BytesIO(EXE), "summons.pdf")}
    )
    assert response.status_code == 400
    assert "Only PDF, JPEG and PNG files are accepted." in page_text(response)
    assert count(app, Document) == 0


# Several cases per person --------------------------------------------------------------------


def test_a_person_can_have_several_cases_and_each_case_links_the_others(app, signed_in, create_case):
    client, coordinator = signed_in("coordinator")
    first = create_case(by=coordinator)
    person = person_of(app, first)
    page = page_text(intake(client, narrative="Second request: housing."))
    second = case_id_from(intake(client, csrf_from(page), duplicate_choice=person, narrative="Second request: housing."))
    assert person_of(app, second) == person
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case).where(Case.person_id == person)) == 2
    assert f'href="/cases/{first}"' in client.get(f"/cases/{second}").get_data(as_text=True)
    assert f'href="/cases/{second}"' in client.get(f"/cases/{first}").get_data(as_text=True)


# Subject rights (S6) -------------------------------------------------------------------------


def test_access_export_holds_the_persons_record_and_documents(app, signed_in, create_case):
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator)
    csrf = token(client)
    client.post(f"/cases/{case_id}/notes", data={"csrf_token": csrf, "body": "Asked for a lawyer."})
    client.post(f"/cases/{case_id}/documents", data={"csrf_token": csrf, "upload": (io.BytesIO(PNG), "scan.png")})

    response = client.post(f"/cases/{case_id}/export", data={"csrf_token": csrf})
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment")
    with zipfile.ZipFile(io.BytesIO(response.data)) as bundle:
        record = json.loads(bundle.read("record.json"))
        assert record["person"]["surname_latin"] == "Sokolov" and record["person"]["surname_cyrillic"] == "Соколов"
        assert record["person"]["phone"] == INTAKE["phone"]
        assert [case["narrative"] for case in record["cases"]] == [INTAKE["narrative"]]
        assert [note["body"] for note in record["notes"]] == ["Asked for a lawyer."]
        assert record["consents"] and record["consents"][0]["store"] is True
        [document] = record["documents"]
        assert document["original_name"] == "scan.png"
        assert bundle.read(document["file"]) == PNG
    assert "person_exported" in audit_actions(app, case_id)


def test_erasure_shreds_the_key_and_keeps_the_coded_facts(app, signed_in, create_case):
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator)
    person = person_of(app, case_id)
    csrf = token(client)

    unconfirmed = client.post(f"/cases/{case_id}/erase", data={"csrf_token": csrf})
    assert unconfirmed.status_code == 302
    with app.app_context():
        assert db.session.get(PersonKey, person) is not None, "erased without the confirmation box"
    assert "Tick the box to confirm the erasure." in page_text(client.get(unconfirmed.headers["Location"]))

    erased = client.post(f"/cases/{case_id}/erase", data={"csrf_token": csrf, "confirm": "erase"})
    assert erased.status_code == 302
    with app.app_context():
        assert db.session.get(PersonKey, person) is None
        case = db.session.get(Case, case_id)
        assert (case.status, case.dutch_status, case.military_situation, case.needs) == (
            "new",
            "schengen_visa",
            "reservist",
            "legal_advice,stay_extension",
        )
        assert case.person.erased
    view = client.get(f"/cases/{case_id}")
    assert view.status_code == 200
    page = page_text(view)
    assert "(erased)" in page
    for gone in ("Sokolov", "Соколов", "+79161234567", INTAKE["narrative"]):
        assert gone not in page
    assert "person_erased" in audit_actions(app, case_id)


@pytest.mark.parametrize(
    ("path", "form"),
    [("notes", {"body": "Called him again."}), ("documents", {"upload": (io.BytesIO(PNG), "scan.png")})],
    ids=["note", "upload"],
)
def test_an_erased_persons_case_refuses_new_personal_data_without_an_error(app, signed_in, create_case, path, form):
    """After erasure the case stays (open, in the lists) for its coded facts, and its page still offers
    the note and upload forms: using them must give a clear refusal, not a 500, and store nothing."""
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator)
    csrf = token(client)
    assert client.post(f"/cases/{case_id}/erase", data={"csrf_token": csrf, "confirm": "erase"}).status_code == 302
    response = client.post(f"/cases/{case_id}/{path}", data={"csrf_token": csrf, **form})
    assert 400 <= response.status_code < 500, f"{path} on an erased person's case answered {response.status_code}"
    assert count(app, Note) == 0 and count(app, Document) == 0
