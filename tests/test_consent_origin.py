"""Consent that no volunteer took down can still be traced: a request through an integration shows
its token, the consent text's version and when the person agreed; an imported case shows where the
coordinator said the earlier consent is recorded. On the case page and in the person's own export."""

import io
import json
import re
import zipfile
from html import unescape

from sqlalchemy import select

from casework import jobs
from casework.extensions import db
from casework.imports import importing, operations, sealing
from casework.models import Case, User
from casework.models.imports import ImportRow, ImportRun
from tests.api_fixtures import bearer, intake_body
from tests.conftest import csrf_from
from tests.import_sheets import KNOWN_PERSON_ROW, csv_bytes
from tests.test_cases_workflow import token
from tests.test_import_run import COLUMNS


def _export(client, case_id: str) -> dict:
    response = client.post(f"/cases/{case_id}/export", data={"csrf_token": token(client)})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as bundle:
        return json.loads(bundle.read("record.json"))


def test_a_request_through_an_integration_shows_its_channel_version_and_time(app, client, make_token, signed_in):
    _token_id, secret = make_token("intake", name="Telegram bot")
    body = intake_body()
    case_id = client.post("/api/v1/intake", json=body, headers=bearer(secret)).json["reference"]
    coordinator, _user = signed_in("coordinator")
    page = unescape(coordinator.get(f"/cases/{case_id}").get_data(as_text=True))
    assert "Token: Telegram bot" in page
    assert "consent text 2026-11, agreed on" in page
    [consent] = _export(coordinator, case_id)["consents"]
    assert consent["through"]["channel"] == "Telegram bot" and consent["through"]["text_version"] == "2026-11"
    assert consent["through"]["given_at"].startswith(body["consent"]["given_at"][:16])


def test_an_imported_case_shows_where_the_earlier_consent_is_recorded(app, make_user, signed_in):
    coordinator, user = signed_in("coordinator")
    with app.app_context():
        actor = db.session.get(User, user.id)
        run, sheet = operations.start_run(actor, "people.csv", csv_bytes())
        operations.save_layout(run, sheet.headers, COLUMNS, actor)
        sealing.set_source(run, "Paper forms, Utrecht office")
        db.session.commit()
        run_id = run.id
        importing.import_run(run_id, actor)
        assert db.session.get(ImportRun, run_id).state == "done"
        case_id = db.session.scalars(select(Case.id).order_by(Case.created_at)).first()
    page = unescape(coordinator.get(f"/cases/{case_id}").get_data(as_text=True))
    assert "recorded in: Paper forms, Utrecht office" in page
    assert user.email in page, "the coordinator who vouched is named as the recorder"
    [consent] = _export(coordinator, case_id)["consents"]
    assert consent["method"] == "imported" and consent["imported_from"] == ["Paper forms, Utrecht office"]


def test_a_volunteers_own_record_has_no_origin_beyond_its_method(app, signed_in, create_case):
    coordinator, user = signed_in("coordinator")
    case_id = create_case(by=user)
    [consent] = _export(coordinator, case_id)["consents"]
    assert "through" not in consent and "imported_from" not in consent


def _merge(app, coordinator, flagged_case: str) -> None:
    """The coordinator answers "same person" on the flagged case's duplicate page."""
    with app.app_context():
        jobs.run_queued()
        assert db.session.get(Case, flagged_case).possible_duplicate
    page = coordinator.get(f"/cases/{flagged_case}/duplicate").get_data(as_text=True)
    existing_person = re.search(r'name="choice"[^>]*value="([0-9a-f-]{36})"', page).group(1)
    response = coordinator.post(
        f"/cases/{flagged_case}/duplicate", data={"csrf_token": csrf_from(page), "choice": existing_person}
    )
    assert response.status_code == 302


def test_an_integrations_consent_keeps_its_origin_when_the_person_turns_out_to_be_known(
    app, client, make_token, signed_in, create_case
):
    """A Telegram request for someone already recorded is flagged; once the coordinator says it is the
    same person, the copy of its consent on the known record still names the channel, version and time."""
    coordinator, user = signed_in("coordinator")
    known_case = create_case(by=user)
    _token_id, secret = make_token("intake", name="Telegram bot")
    flagged_case = client.post("/api/v1/intake", json=intake_body(), headers=bearer(secret)).json["reference"]
    _merge(app, coordinator, flagged_case)
    for case_id in (flagged_case, known_case):
        page = unescape(coordinator.get(f"/cases/{case_id}").get_data(as_text=True))
        assert "Token: Telegram bot" in page and "consent text 2026-11, agreed on" in page
    throughs = [row.get("through") for row in _export(coordinator, known_case)["consents"]]
    assert [t["channel"] for t in throughs if t] == ["Telegram bot"]


def test_an_imported_consent_keeps_its_source_when_the_person_turns_out_to_be_known(app, signed_in, create_case):
    """The sheet holds someone already recorded; merged by the coordinator, the known record's copy
    of the imported consent still says where the earlier consent is recorded."""
    coordinator, user = signed_in("coordinator")
    known_case = create_case(by=user)
    with app.app_context():
        actor = db.session.get(User, user.id)
        run, sheet = operations.start_run(actor, "people.csv", csv_bytes())
        operations.save_layout(run, sheet.headers, COLUMNS, actor)
        sealing.set_source(run, "Paper forms, Utrecht office")
        db.session.commit()
        importing.import_run(run.id, actor)
        flagged_case = db.session.scalar(
            select(ImportRow.case_id).where(ImportRow.run_id == run.id, ImportRow.row_number == KNOWN_PERSON_ROW)
        )
    _merge(app, coordinator, flagged_case)
    page = unescape(coordinator.get(f"/cases/{known_case}").get_data(as_text=True))
    assert "recorded in: Paper forms, Utrecht office" in page
    assert "Paper forms, Utrecht office" in _export(coordinator, known_case)["consents"][-1].get("imported_from", [])
