"""One human, many records: where merging duplicates ("same person"), consent decisions, erasure,
retention, referrals, exports and statistics meet around the records of a single person.

Each test is a story that asserts what should happen; a failing test names a bug."""

import io
import json
import re
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from casework import jobs
from casework.cases import consent
from casework.cases import operations as case_operations
from casework.cases.retention import erase_expired
from casework.clock import utcnow
from casework.extensions import db
from casework.models import Case, Consent, Document, Partner, Person, PersonKey, Referral, User
from casework.stats import contributors
from casework.stats.catalogue import first_case_rows
from tests.conftest import csrf_from
from tests.factories import INTAKE
from tests.test_cases_workflow import PNG, SAME_MAN, case_id_from, intake, page_text, person_of, token
from tests.test_consent_record import decide, refer

IN_Q3 = datetime(2026, 8, 14, 10, 45)


# Helpers -------------------------------------------------------------------------------------


def flag_by_volunteer(app, signed_in, **overrides) -> str:
    """A volunteer logs the known man again ("Sokolow", same phone); the check flags it."""
    client, _volunteer = signed_in("volunteer")
    case_id = case_id_from(intake(client, **{**SAME_MAN, **overrides}))
    with app.app_context():
        jobs.run_queued()
        assert db.session.get(Case, case_id).possible_duplicate
    return case_id


def same_person(app, coordinator_client, flagged_case: str, person_id: str) -> None:
    page = coordinator_client.get(f"/cases/{flagged_case}/duplicate").get_data(as_text=True)
    assert f'value="{person_id}"' in page, "the known person is offered as a match"
    response = coordinator_client.post(
        f"/cases/{flagged_case}/duplicate", data={"csrf_token": csrf_from(page), "choice": person_id}
    )
    assert response.status_code == 302


def withdraw_all(client, case_id: str) -> None:
    response = client.post(f"/cases/{case_id}/consent/withdraw", data={"csrf_token": token(client, f"/cases/{case_id}")})
    assert response.status_code == 302


def standing_of(app, person_id: str):
    with app.app_context():
        found = consent.standing(db.session.get(Person, person_id))
        return found.stored, [partner.id for partner in found.shared_with], found.may_contact


def export(client, case_id: str) -> tuple[dict, dict]:
    response = client.post(f"/cases/{case_id}/export", data={"csrf_token": token(client)})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as bundle:
        record = json.loads(bundle.read("record.json"))
        files = {name: bundle.read(name) for name in bundle.namelist() if name != "record.json"}
    return record, files


# Consent and merging ----------------------------------------------------------------------------


def test_a_withdrawal_on_the_known_record_is_not_undone_by_merging_an_earlier_intake(app, signed_in, create_case, partner):
    """Sokolov is known (no sharing). A volunteer logs him again, this time agreeing to share with the
    clinic. Days later he calls and withdraws every consent, recorded on the known case. Only then the
    coordinator answers "same person". His withdrawal came after both intakes: nothing may be in force."""
    coordinator_client, coordinator = signed_in("coordinator")
    known_case = create_case(by=coordinator)
    flagged_case = flag_by_volunteer(app, signed_in, consent_partners=[partner])
    withdraw_all(coordinator_client, known_case)
    known_person = person_of(app, known_case)
    assert standing_of(app, known_person)[0] is False

    same_person(app, coordinator_client, flagged_case, known_person)

    stored, shared, may_contact = standing_of(app, known_person)
    assert (stored, shared, may_contact) == (False, [], False), (
        "after the merge the consents he withdrew (after giving them) are in force again: "
        f"stored={stored}, shared with partners {shared}, may contact={may_contact}"
    )
    assert refer(coordinator_client, known_case, partner).status_code == 400, (
        "a referral to the clinic is accepted although the person withdrew every consent"
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


def test_a_withdrawal_on_the_flagged_record_is_not_undone_by_a_renewal_it_came_after(app, signed_in, create_case, partner):
    """The other direction: the known case renews his consent to store (and agrees to share with the
    clinic); afterwards, on the newly logged case, he withdraws everything. "Same person" keeps the
    withdrawal, the latest thing he said."""
    coordinator_client, coordinator = signed_in("coordinator")
    known_case = create_case(by=coordinator)
    flagged_case = flag_by_volunteer(app, signed_in)
    assert decide(coordinator_client, known_case, "store").status_code == 302
    assert decide(coordinator_client, known_case, f"share:{partner}").status_code == 302
    withdraw_all(coordinator_client, flagged_case)
    known_person = person_of(app, known_case)

    same_person(app, coordinator_client, flagged_case, known_person)

    stored, shared, _contact = standing_of(app, known_person)
    assert (stored, shared) == (False, []), (
        f"the withdrawal recorded after the renewal is lost in the merge: stored={stored}, shared with {shared}"
    )


def test_the_partner_printout_leaves_out_contact_details_once_contact_is_withdrawn(app, signed_in, create_case, partner):
    """He agreed at intake to be contacted and to share with the clinic; the case was referred. Later he
    withdraws only consent to be contacted. The summary printed for the clinic must not carry his phone
    or Telegram any more."""
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator, consent_partners=[partner])
    assert refer(client, case_id, partner).status_code == 302
    assert decide(client, case_id, "contact", decision="withdrawn").status_code == 302
    with app.app_context():
        referral_id = db.session.scalar(select(Referral.id).where(Referral.case_id == case_id))
        assert consent.standing(db.session.get(Case, case_id).person).may_contact is False
    page = page_text(client.get(f"/cases/{case_id}/referrals/{referral_id}/print"))
    assert "Case summary for Refugee Law Clinic" in page
    assert INTAKE["phone"] not in page and INTAKE["telegram"] not in page, (
        "the partner print-out shows contact details although the person withdrew consent to be contacted"
    )


# Same person: every record of the human -----------------------------------------------------------


def test_same_person_leaves_no_second_record_of_the_human_to_count_twice(app, signed_in, create_case):
    """Sokolov is known (record A). A volunteer logs "Sokolow" (record B, flagged); before anyone looks
    at the flag, a coordinator logs another request for "Sokolow" and attaches it to B. Then the
    coordinator answers on the flagged case: same person as A. B is A: one human, so one record, and
    statistics count him once."""
    coordinator_client, coordinator = signed_in("coordinator")
    known_case = create_case(by=coordinator)
    flagged_case = flag_by_volunteer(app, signed_in)
    record_b = person_of(app, flagged_case)
    page = page_text(intake(coordinator_client, **SAME_MAN, narrative="Second request: housing."))
    third_case = case_id_from(
        intake(coordinator_client, csrf_from(page), duplicate_choice=record_b, **SAME_MAN, narrative="Second request: housing.")
    )
    assert person_of(app, third_case) == record_b
    with app.app_context():
        for hours, case_id in enumerate((known_case, flagged_case, third_case)):
            db.session.get(Case, case_id).created_at = IN_Q3 + timedelta(hours=hours)
        db.session.commit()

    same_person(app, coordinator_client, flagged_case, person_of(app, known_case))

    with app.app_context():
        rows = first_case_rows("2026Q3")
        counted = contributors.plan("2026Q3", {row[0] for row in rows}).counted
        records = {db.session.get(Case, case_id).person_id for case_id in (known_case, flagged_case, third_case)}
        assert len(counted) == 1, (
            f"one human is counted {len(counted)} times: 'same person' moved one case and left his other "
            f"record (with {len(records) - 1} more record(s)) standing and no longer linked"
        )


def test_retention_waits_for_an_undecided_duplicate_with_an_open_case(app, signed_in, create_case):
    """His old record's only case closed long ago; he is back, logged by a volunteer as a new record
    flagged as a possible duplicate of it. Retention must not shred the old record while the question
    "same person?" is open: his open case would lose its history and the coordinator the match."""
    _client, coordinator = signed_in("coordinator")
    old_case = create_case(by=coordinator)
    with app.app_context():
        case = db.session.get(Case, old_case)
        case.status, case.outcome, case.closed_at = "closed", "helped", utcnow() - timedelta(days=800)
        db.session.commit()
    flagged_case = flag_by_volunteer(app, signed_in)
    old_person = person_of(app, old_case)
    with app.app_context():
        erase_expired(24)
        db.session.commit()
        assert db.session.get(PersonKey, old_person) is not None, (
            "retention erased the record of a man whose other record has an open case flagged as the same person"
        )
        assert [m.person.id for m in case_operations.duplicates_of_case(db.session.get(Case, flagged_case))] == [old_person]


def test_retention_ends_the_consents_of_the_people_it_erases(app, make_user, create_case, partner):
    """Erasure on request ends every consent (consent.end_all); erasure by retention must too: an erased
    person's record may not keep saying the foundation may store and share his data."""
    coordinator = make_user("coordinator")
    case_id = create_case(by=coordinator, consent_partners=[partner])
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.status, case.outcome, case.closed_at = "closed", "helped", utcnow() - timedelta(days=800)
        db.session.commit()
        person_id = case.person_id
        assert erase_expired(24) == 1
        db.session.commit()
        assert db.session.get(Person, person_id).erased
        open_rows = db.session.scalar(
            select(func.count()).select_from(Consent).where(Consent.person_id == person_id, Consent.withdrawn_at.is_(None))
        )
        standing = consent.standing(db.session.get(Person, person_id))
        assert open_rows == 0 and not standing.stored and standing.shared_with == [], (
            f"after retention erased him, {open_rows} consent rows are still open; stored={standing.stored}, "
            f"shared with {[p.name for p in standing.shared_with]}"
        )


def test_same_person_keeps_the_date_of_birth_only_the_new_intake_recorded(app, signed_in, create_case):
    """The known record never had his date of birth; the new intake (flagged: same phone) has it, and
    with it the deadlines of his age (end of conscription age, reserve age limit). "Same person" shreds
    the new record: its facts must not vanish with it, or the moved case loses deadlines and age band."""
    coordinator_client, coordinator = signed_in("coordinator")
    known_case = create_case(by=coordinator, date_of_birth=None)
    flagged_case = flag_by_volunteer(app, signed_in)
    with app.app_context():
        flagged = db.session.get(Case, flagged_case)
        band_before, kinds_before = flagged.age_band, {kind for kind, _due in flagged.deadlines}
        assert band_before != "unknown" and {"conscription_age_end", "reserve_age_end"} & kinds_before

    same_person(app, coordinator_client, flagged_case, person_of(app, known_case))

    with app.app_context():
        moved = db.session.get(Case, flagged_case)
        kinds_after = {kind for kind, _due in moved.deadlines}
        assert moved.person.date_of_birth == INTAKE["date_of_birth"] and moved.age_band == band_before, (
            f"'same person' shredded the only recorded date of birth: the human's record now has "
            f"{moved.person.date_of_birth}, the moved case's age band went {band_before} -> {moved.age_band}, "
            f"deadlines lost: {sorted(kinds_before - kinds_after)}"
        )


# What passed: merged records in the export and in erasure --------------------------------------------


def test_after_same_person_the_export_and_the_erasure_cover_the_moved_case(app, signed_in, create_case, partner):
    """The flagged case carries a note, a document and a referral; after "same person" the known
    person's access export holds them (and nobody else's), and erasing him removes them all."""
    coordinator_client, coordinator = signed_in("coordinator")
    known_case = create_case(by=coordinator)
    stranger_case = create_case(
        by=coordinator,
        surname_latin="Abramov",
        surname_cyrillic="Абрамов",
        given_names_latin="Ilya",
        given_names_cyrillic="Илья",
        phone="+79160000001",
        telegram="@abramov",
        narrative="Somebody else entirely.",
    )
    flagged_case = flag_by_volunteer(app, signed_in, consent_partners=[partner])
    csrf = token(coordinator_client)
    assert (
        coordinator_client.post(
            f"/cases/{flagged_case}/notes", data={"csrf_token": csrf, "body": "He called from Tbilisi."}
        ).status_code
        == 302
    )
    upload = coordinator_client.post(
        f"/cases/{flagged_case}/documents", data={"csrf_token": csrf, "upload": (io.BytesIO(PNG), "summons.png")}
    )
    assert upload.status_code == 302
    assert refer(coordinator_client, flagged_case, partner).status_code == 302
    coordinator_client.post(f"/cases/{stranger_case}/notes", data={"csrf_token": csrf, "body": "Abramov's own note."})
    known_person = person_of(app, known_case)

    same_person(app, coordinator_client, flagged_case, known_person)

    record, files = export(coordinator_client, known_case)
    assert sorted(case["id"] for case in record["cases"]) == sorted([known_case, flagged_case])
    assert [note["body"] for note in record["notes"]] == ["He called from Tbilisi."]
    assert [ref["partner"] for ref in record["referrals"]] == ["Refugee Law Clinic"]
    [document] = record["documents"]
    assert document["original_name"] == "summons.png" and files[document["file"]] == PNG
    assert "Abramov" not in json.dumps(record, ensure_ascii=False)
    assert any(row["partners"] == ["Refugee Law Clinic"] for row in record["consents"])

    erased = coordinator_client.post(f"/cases/{known_case}/erase", data={"csrf_token": csrf, "confirm": "erase"})
    assert erased.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 0
        moved = db.session.get(Case, flagged_case)
        assert moved.person.erased and moved.narrative is None
        folder = app.config["CASEWORK_DOCUMENT_DIR"]
        assert not [p for p in Path(folder).iterdir() if re.match(r"[0-9a-f-]{36}\.v", p.name)]
        assert consent.standing(db.session.get(Person, known_person)).shared_with == []
        assert db.session.get(Partner, partner) is not None
        assert db.session.get(User, coordinator.id) is not None
