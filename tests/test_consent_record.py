"""Consent as a living record (domain.md "consent"; S18): given, renewed and withdrawn on the case page
question by question, combined when two records turn out to be the same person, and read by the
referral form at once."""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from casework import clock, jobs
from casework.cases import consent
from casework.extensions import db
from casework.models import Case, Consent, Partner, Person, Referral, User
from tests.conftest import csrf_from
from tests.test_cases_workflow import SAME_MAN, case_id_from, intake, page_text, person_of, token


def decide(client, case_id, question, decision="granted", method="phone", expires_on=None):
    data = {"csrf_token": token(client, f"/cases/{case_id}"), "question": question, "decision": decision, "method": method}
    if expires_on:
        data["expires_on"] = expires_on.isoformat()
    return client.post(f"/cases/{case_id}/consent", data=data)


def refer(client, case_id, partner_id):
    data = {"csrf_token": token(client, f"/cases/{case_id}"), "partner": str(partner_id), "purpose": "Asylum interview."}
    return client.post(f"/cases/{case_id}/referrals", data=data)


def referrals(app, case_id) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Referral).where(Referral.case_id == case_id)).all())


def add_partner(app, name: str) -> int:
    with app.app_context():
        partner = Partner(name=name)
        db.session.add(partner)
        db.session.commit()
        return partner.id


# The rule on its own ---------------------------------------------------------------------------


def _row(person, actor, at, **values):
    row = Consent(
        person=person, method="phone", recorded_by_id=actor.id, recorded_at=at, store=values.pop("store", False), **values
    )
    db.session.add(row)
    return row


def test_for_each_partner_the_most_recent_answer_of_either_record_wins(app, make_user, partner):
    coordinator = make_user("coordinator")
    other = add_partner(app, "Housing Help")
    with app.app_context():
        actor = db.session.get(User, coordinator.id)
        clinic, housing = db.session.get(Partner, partner), db.session.get(Partner, other)
        kept, merged = Person(surname_latin="Kept"), Person(surname_latin="Merged")
        db.session.add_all([kept, merged])
        t = datetime(2026, 1, 1)
        # The kept record: intake in January sharing with both; in March the person withdrew sharing with Housing Help.
        _row(kept, actor, t, store=True, contact=True, partners=[clinic, housing])
        _row(kept, actor, t + timedelta(days=60), scope="share", granted=False, partners=[housing])
        # The merged record: in February he withdrew sharing with the clinic; in April agreed to Housing Help again.
        _row(merged, actor, t + timedelta(days=30), store=True, contact=False, partners=[])
        _row(merged, actor, t + timedelta(days=31), scope="share", granted=False, partners=[clinic])
        _row(merged, actor, t + timedelta(days=90), scope="share", granted=True, partners=[housing])
        db.session.flush()
        consent.combine(merged, kept)
        standing = consent.standing(kept, date(2026, 5, 1))
        assert [p.name for p in standing.shared_with] == ["Housing Help"], (
            "April's yes beats March's no; February's no beats January's yes"
        )
        assert standing.contact.granted is False, "the most recent answer on contact is February's no"
        assert standing.stored
        assert len(standing.history) == 5, "each answer is kept with its own date"
        assert {row.recorded_at for row in standing.history} == {
            t,
            t + timedelta(days=60),
            t + timedelta(days=30),
            t + timedelta(days=31),
            t + timedelta(days=90),
        }


def test_nothing_is_in_force_without_consent_to_store(app, make_user, create_case, partner):
    coordinator = make_user("coordinator")
    case_id = create_case(by=coordinator, consent_partners=[partner])
    with app.app_context():
        case, actor = db.session.get(Case, case_id), db.session.get(User, coordinator.id)
        assert [p.id for p in consent.standing(case.person).shared_with] == [partner]
        consent.decide(case, "store", False, "phone", actor)
        after = consent.standing(case.person)
        assert not after.stored and after.shared_with == [] and not after.may_contact
        try:
            consent.decide(case, "share", True, "phone", actor, partner=db.session.get(Partner, partner))
        except consent.ConsentRefused as refusal:
            assert "consent to store" in str(refusal)
        else:
            raise AssertionError("sharing was recorded without consent to store")


def test_an_answer_about_to_end_is_listed_ahead_of_time(app, make_user, create_case, partner):
    coordinator = make_user("coordinator")
    case_id = create_case(by=coordinator, consent_partners=[partner], consent_expires_on=clock.today() + timedelta(days=100))
    with app.app_context():
        case, actor = db.session.get(Case, case_id), db.session.get(User, coordinator.id)
        consent.decide(case, "contact", True, "phone", actor, expires_on=clock.today() + timedelta(days=5))
        soon = consent.standing(case.person).expiring(14)
        assert [answer.scope for answer in soon] == ["contact"]


# Through the web --------------------------------------------------------------------------------


def test_consent_to_share_given_on_the_case_page_opens_the_referral_and_its_withdrawal_closes_it(
    app, signed_in, create_case, partner
):
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator)  # INTAKE shares with nobody
    page = page_text(client.get(f"/cases/{case_id}"))
    assert "May be shared with: nobody" in page and 'action="/cases/' + case_id + '/referrals"' not in page
    assert refer(client, case_id, partner).status_code == 400

    assert (
        decide(client, case_id, f"share:{partner}", method="email", expires_on=clock.today() + timedelta(days=365)).status_code
        == 302
    )
    page = page_text(client.get(f"/cases/{case_id}"))
    assert "May be shared with: Refugee Law Clinic." in page
    assert "Sharing the case with Refugee Law Clinic" in page and "In writing, by e-mail" in page and coordinator.email in page
    assert f'action="/cases/{case_id}/referrals"' in page
    assert refer(client, case_id, partner).status_code == 302
    assert referrals(app, case_id) == 1

    assert decide(client, case_id, f"share:{partner}", decision="withdrawn").status_code == 302
    page = page_text(client.get(f"/cases/{case_id}"))
    assert "May be shared with: nobody" in page
    assert f'action="/cases/{case_id}/referrals"' not in page, "the referral form is gone"
    assert refer(client, case_id, partner).status_code == 400
    assert referrals(app, case_id) == 1
    assert "Earlier decisions" in page


def test_contact_can_be_withdrawn_alone_and_renewed(app, signed_in, create_case):
    client, coordinator = signed_in("volunteer")
    case_id = create_case(by=coordinator, assignee=coordinator)
    assert decide(client, case_id, "contact", decision="withdrawn").status_code == 302
    with app.app_context():
        standing = consent.standing(db.session.get(Case, case_id).person)
        assert standing.stored and not standing.may_contact
    assert decide(client, case_id, "store", expires_on=clock.today() + timedelta(days=3)).status_code == 302
    page = page_text(client.get(f"/cases/{case_id}"))
    assert "Storing the person's data: the consent ends on" in page, "the renewal's end is announced ahead of time"


def test_a_refused_consent_decision_is_explained_and_keeps_the_case(app, signed_in, create_case):
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator)
    response = decide(client, case_id, "contact", expires_on=clock.today() - timedelta(days=1))
    assert response.status_code == 400
    page = page_text(response)
    assert "This date cannot be in the past." in page and "Sokolov" in page
    response = decide(client, case_id, "share:999999")
    assert response.status_code == 400 and "Not a valid choice" in page_text(response)


def test_a_second_intake_with_consent_to_share_and_the_same_person_decision_allow_a_referral(
    app, signed_in, make_user, create_case, partner
):
    """The issue's story: a volunteer logs a known man again, this time with consent to share; the
    coordinator says "same person"; the case shows the partner and the referral succeeds."""
    existing = create_case(by=make_user("coordinator"))  # Sokolov, first intake: shares with nobody
    volunteer_client, _volunteer = signed_in("volunteer")
    second = case_id_from(intake(volunteer_client, consent_partners=[partner], **SAME_MAN))
    with app.app_context():
        jobs.run_queued()
    client, _coordinator = signed_in("coordinator")
    page = page_text(client.get(f"/cases/{second}/duplicate"))
    person = person_of(app, existing)
    assert client.post(f"/cases/{second}/duplicate", data={"csrf_token": csrf_from(page), "choice": person}).status_code == 302

    for case_id in (second, existing):
        view = page_text(client.get(f"/cases/{case_id}"))
        assert "May be shared with: Refugee Law Clinic." in view, "the combined consent shows at once"
        assert f'action="/cases/{case_id}/referrals"' in view
    assert refer(client, existing, partner).status_code == 302
    assert referrals(app, existing) == 1


def test_a_coordinators_intake_for_a_known_man_combines_the_consents(app, signed_in, create_case, partner):
    client, coordinator = signed_in("coordinator")
    first = create_case(by=coordinator)
    page = page_text(intake(client, consent_partners=[partner], **SAME_MAN))
    existing = person_of(app, first)
    second = case_id_from(intake(client, csrf_from(page), duplicate_choice=existing, consent_partners=[partner], **SAME_MAN))
    assert "May be shared with: Refugee Law Clinic." in page_text(client.get(f"/cases/{first}"))
    assert refer(client, second, partner).status_code == 302
