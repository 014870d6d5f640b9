"""A case summary to print for the partner a person was referred to: what they agreed to share with
that partner, nothing more, and only while they agree."""

from sqlalchemy import select

from casework.extensions import db
from casework.models import AuditEvent, Consent, Referral
from tests.conftest import csrf_from


def refer(app, client, case_id: str, partner_id: int) -> str:
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    response = client.post(
        f"/cases/{case_id}/referrals", data={"csrf_token": csrf_from(page), "partner": partner_id, "purpose": "Asylum appeal"}
    )
    assert response.status_code == 302
    with app.app_context():
        return db.session.scalar(select(Referral.id).where(Referral.case_id == case_id))


def test_the_summary_shows_the_facts_and_not_what_stays_with_the_foundation(app, signed_in, create_case, partner):
    client, coordinator = signed_in("coordinator")
    case_id = create_case(
        by=coordinator,
        consent_partners=[partner],
        consent_contact=False,
        passport_number="4510 123456",
        address="Lenina 1, Moskva",
    )
    client.post(
        f"/cases/{case_id}/notes",
        data={
            "csrf_token": csrf_from(client.get(f"/cases/{case_id}").get_data(as_text=True)),
            "body": "Internal: he sounded scared.",
        },
    )
    referral_id = refer(app, client, case_id, partner)
    page = client.get(f"/cases/{case_id}/referrals/{referral_id}/print")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Sokolov" in text and "Refugee Law Clinic" in text and "Received a mobilisation summons" in text
    for withheld in ("4510 123456", "Lenina", "he sounded scared", "+79161234567", "@dsokolov"):
        assert withheld not in text, withheld
    with app.app_context():
        printed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case_printed")).all()
        assert [(event.case_id, event.detail) for event in printed] == [(case_id, str(partner))]


def test_contact_channels_only_with_consent_to_be_contacted(app, signed_in, create_case, partner):
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator, consent_partners=[partner], consent_contact=True)
    referral_id = refer(app, client, case_id, partner)
    assert "@dsokolov" in client.get(f"/cases/{case_id}/referrals/{referral_id}/print").get_data(as_text=True)


def test_no_summary_once_consent_is_withdrawn(app, signed_in, create_case, partner):
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator, consent_partners=[partner])
    referral_id = refer(app, client, case_id, partner)
    with app.app_context():
        for consent in db.session.scalars(select(Consent)):
            consent.partners = []
        db.session.commit()
    assert client.get(f"/cases/{case_id}/referrals/{referral_id}/print").status_code == 404


def test_volunteers_cannot_print_for_partners(app, signed_in, create_case, partner):
    coordinator_client, coordinator = signed_in("coordinator")
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=coordinator, assignee=volunteer, consent_partners=[partner])
    referral_id = refer(app, coordinator_client, case_id, partner)
    assert client.get(f"/cases/{case_id}/referrals/{referral_id}/print").status_code == 404
