"""POST /api/v1/intake end to end: a new unassigned case, encrypted, consent recorded as given
through the token's channel, audited under the token, the duplicate check queued, and an answer
that is the same for a known and an unknown person (S21)."""

import json

import pytest
from flask_babel import force_locale
from sqlalchemy import event, func, select

from casework import jobs
from casework.api.problems import PROBLEMS
from casework.extensions import db
from casework.models import ApiConsent, AuditEvent, Case, Consent
from tests.api_fixtures import bearer, intake_body
from tests.test_encryption import _encodings, _raw_database_bytes

URL = "/api/v1/intake"


@pytest.fixture
def intake_secret(make_token):
    return make_token("intake", name="Telegram bot")


def test_a_request_becomes_an_unassigned_case_with_its_consent_and_audit_row(app, client, intake_secret):
    token_id, secret = intake_secret
    body = intake_body()
    response = client.post(URL, json=body, headers=bearer(secret))
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    assert list(response.json) == ["reference"]
    with app.app_context():
        case = db.session.get(Case, response.json["reference"])
        assert case.assignee_id is None and case.created_by_id is None and case.status == "new"
        assert case.person.surname_latin == "Sokolov" and case.needs == "legal_advice"
        consent = db.session.scalar(select(Consent).where(Consent.person_id == case.person_id))
        assert consent.store and consent.contact and consent.recorded_by_id is None
        channel = db.session.get(ApiConsent, consent.id)
        assert channel.token_id == token_id and channel.text_version == "2026-11"
        assert channel.given_at.isoformat(timespec="seconds") == body["consent"]["given_at"].removesuffix("+00:00")
        created = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case_created", AuditEvent.case_id == case.id))
        assert created.actor_id is None and created.detail == f"token:{token_id}"


def test_nothing_of_the_person_is_stored_in_plaintext(app, client, intake_secret):
    _token_id, secret = intake_secret
    markers = {"surname_latin": "Zvyagintsev", "surname_cyrillic": "Звягинцев", "given_names_latin": "Leontiy"}
    assert client.post(URL, json=intake_body(**markers), headers=bearer(secret)).status_code == 201
    with app.app_context():
        raw = _raw_database_bytes(app)
    hits = [marker for marker in markers.values() for form in _encodings(marker) if form in raw]
    assert hits == []


def test_the_audit_trail_names_the_token(client, intake_secret, signed_in):
    _token_id, secret = intake_secret
    client.post(URL, json=intake_body(), headers=bearer(secret))
    coordinator, _user = signed_in("coordinator")
    page = coordinator.get("/audit/?action=case_created").get_data(as_text=True)
    assert "Token: Telegram bot" in page


def _statements(app, send) -> int:
    seen = []
    with app.app_context():
        engine = db.engine

    def note(*_args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", note)
    try:
        send()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return len(seen)


def test_a_known_person_is_flagged_silently_and_the_caller_learns_nothing(app, client, intake_secret):
    """Same status, same body shape and the same number of SQL statements for a person already
    recorded and for a new one; the duplicate check runs afterwards and flags the known one."""
    _token_id, secret = intake_secret
    assert client.post(URL, json=intake_body(), headers=bearer(secret)).status_code == 201
    with app.app_context():
        jobs.run_queued()
    answers = {}

    def send(kind, body):
        answers[kind] = client.post(URL, json=body, headers=bearer(secret))

    known = _statements(app, lambda: send("known", intake_body()))
    unknown = _statements(
        app,
        lambda: send(
            "unknown",
            intake_body(
                surname_latin="Orlov",
                given_names_latin="Pavel",
                surname_cyrillic="Орлов",
                given_names_cyrillic="Павел",
                phone="+79035550101",
                telegram="@porlov",
                date_of_birth="1990-05-06",
            ),
        ),
    )
    assert answers["known"].status_code == answers["unknown"].status_code == 201
    assert set(answers["known"].json) == set(answers["unknown"].json) == {"reference"}
    assert dict(answers["known"].headers).keys() == dict(answers["unknown"].headers).keys()
    assert known == unknown
    with app.app_context():
        assert jobs.run_queued() == 2
        flagged = {
            case_id: db.session.get(Case, case_id).possible_duplicate
            for case_id in (a.json["reference"] for a in answers.values())
        }
        assert flagged == {answers["known"].json["reference"]: True, answers["unknown"].json["reference"]: False}
        checks = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "intake_checked_for_duplicates")).all()
        assert len(checks) == 3 and all(check.actor_id is None for check in checks)


def _invalid(client, secret, body, language="en"):
    response = client.post(URL, json=body, headers=bearer(secret, **{"Accept-Language": language}))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    return response


def test_the_form_s_rules_apply_and_errors_point_at_the_fields(app, client, intake_secret):
    _token_id, secret = intake_secret
    body = intake_body(phone="not a phone number", telegram=None, surname_latin=None, surname_cyrillic=None)
    body["case"] = {**body["case"], "deserted_on": "1850-01-01"}
    problem = _invalid(client, secret, body).json
    assert problem["type"] == "about:blank" and problem["status"] == 422 and problem["title"] == "Invalid request"
    pointers = {error["pointer"] for error in problem["errors"]}
    assert {"/person/phone", "/person/surname_latin", "/case/deserted_on"} <= pointers
    body = intake_body()
    body["case"] = {**body["case"], "military_situation": "general", "needs": ["legal_advice", "a pony"]}
    pointers = [error["pointer"] for error in _invalid(client, secret, body).json["errors"]]
    assert sorted(pointers) == ["/case/military_situation", "/case/needs/1"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_consent_version_and_time_are_required(client, intake_secret):
    _token_id, secret = intake_secret
    body = intake_body()
    body["consent"] = {"contact": True}
    pointers = {error["pointer"] for error in _invalid(client, secret, body).json["errors"]}
    assert pointers == {"/consent/version", "/consent/given_at"}
    edges = ("0001-01-01T02:00:08+08:00", "9999-12-31T23:00:00-05:00")  # no UTC time exists for either
    for given_at in ("2026-01-01T10:00:00", "2999-01-01T10:00:00+00:00", "2001-01-01T10:00:00+00:00", *edges):
        body["consent"] = {"version": "2026-11", "given_at": given_at}
        assert [error["pointer"] for error in _invalid(client, secret, body).json["errors"]] == ["/consent/given_at"]


def test_no_error_repeats_what_was_sent(client, intake_secret):
    """Unknown field names and wrong values could be anyone's data: neither comes back."""
    _token_id, secret = intake_secret
    body = intake_body(email="Zvyagintsev-at-nowhere", sex="Zvyagintsev", passport_number="Zvyagintsev" * 10)
    body["Zvyagintsev"] = "Звягинцев"
    body["person"]["Leontiy"] = 1
    text = _invalid(client, secret, body).get_data(as_text=True)
    assert "Zvyagintsev" not in text and "Звягинцев" not in text and "Leontiy" not in text


@pytest.mark.parametrize("payload", ['{"consent": ', "[1, 2]", '"text"', "null"])
def test_a_body_that_is_no_json_object_is_a_problem(client, intake_secret, payload):
    _token_id, secret = intake_secret
    response = client.post(URL, data=payload, content_type="application/json", headers=bearer(secret))
    assert response.status_code in (400, 422) and response.mimetype == "application/problem+json"


def test_a_body_of_another_type_is_415(client, intake_secret):
    _token_id, secret = intake_secret
    response = client.post(URL, data={"surname_latin": "Sokolov"}, headers=bearer(secret))
    assert response.status_code == 415 and response.mimetype == "application/problem+json"


def test_characters_no_database_keeps_are_refused(client, intake_secret):
    _token_id, secret = intake_secret
    for value in ("Sokolov\x00", "Sokolov\ud800"):
        body = intake_body(surname_latin=value)
        data = json.dumps(body)  # keeps the lone surrogate escaped
        response = client.post(URL, data=data, content_type="application/json", headers=bearer(secret))
        assert response.status_code == 422 and response.json["errors"][0]["pointer"] == "/"


@pytest.mark.parametrize("language", ["en", "nl", "ru", "uk"])
def test_problem_titles_are_translated_by_accept_language(app, client, intake_secret, language):
    """Passes for nl, ru and uk once the catalogues translate the API's titles."""
    _token_id, secret = intake_secret
    problem = _invalid(client, secret, {"consent": {}}, language).json
    with app.test_request_context(), force_locale(language):
        title, detail = (str(text) for text in PROBLEMS[422])
    assert (problem["title"], problem["detail"]) == (title, detail)
    assert (problem["title"] == "Invalid request") == (language == "en")


@pytest.mark.parametrize("language", ["nl", "ru", "uk"])
def test_the_language_is_chosen_by_accept_language_alone(client, intake_secret, language):
    """ "Bad request" is translated already (the error pages use it): Accept-Language picks it even
    when the sign-in cookie of a user who chose English comes along (the API reads no session)."""
    _token_id, secret = intake_secret
    headers = bearer(secret, **{"Accept-Language": language})
    response = client.post(URL, data='{"consent": ', content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert response.json["title"] != "Bad request"
