"""The case pages read what they show before their templates run, and skip what cannot be there: a
relation first touched by a template is one more round trip on every page, and under load the
statements are a large part of a request's time (benchmarks/throughput.py)."""

from casework.cases import consent, operations
from casework.extensions import db
from casework.models import ApiConsent, Case, Partner, User
from tests.conftest import csrf_from
from tests.factories import INTAKE
from tests.statements import statements_during, statements_from_templates


def test_the_template_of_an_assigned_case_reads_nothing(app, signed_in, make_user, create_case):
    client, coordinator = signed_in("coordinator")
    volunteer = make_user("volunteer")
    case_id = create_case(by=coordinator, assignee=volunteer)
    response = None

    def send():
        nonlocal response
        response = client.get(f"/cases/{case_id}")

    from_templates = statements_from_templates(app, send)
    assert response.status_code == 200
    assert volunteer.email in response.get_data(as_text=True)
    assert from_templates == []


def test_the_case_list_template_reads_nothing(app, signed_in, make_user, create_case):
    client, coordinator = signed_in("coordinator")
    volunteer = make_user("volunteer")
    for _ in range(3):
        create_case(by=coordinator, assignee=volunteer)
    create_case(by=coordinator)
    from_templates = statements_from_templates(app, lambda: client.get("/cases/?status=all"))
    assert from_templates == []


def test_a_queue_template_reads_no_assignee(app, signed_in, make_user, create_case):
    """The assignees of a queue's page come with the page, not one statement per volunteer."""
    client, coordinator = signed_in("coordinator")
    for volunteer in (make_user("volunteer"), make_user("volunteer")):
        create_case(by=coordinator, assignee=volunteer)
    response = None

    def send():
        nonlocal response
        response = client.get("/cases/new-this-week")

    from_templates = statements_from_templates(app, send)
    assert response.status_code == 200
    assert from_templates == []


def test_the_search_results_template_reads_no_assignee(app, signed_in, make_user, create_case):
    """Two cases of one person, worked by two volunteers: both names come with the results."""
    client, coordinator = signed_in("coordinator")
    volunteers = make_user("volunteer"), make_user("volunteer")
    for volunteer in volunteers:
        create_case(by=coordinator, assignee=volunteer)
    token = csrf_from(client.get("/cases/search").get_data(as_text=True))
    response = None

    def send():
        nonlocal response
        response = client.post("/cases/search", data={"csrf_token": token, "field": "phone", "value": INTAKE["phone"]})

    from_templates = statements_from_templates(app, send)
    assert response.status_code == 200
    assert all(volunteer.email in response.get_data(as_text=True) for volunteer in volunteers)
    assert from_templates == []


def test_no_channel_lookup_without_consent_that_could_come_through_one(app, signed_in, create_case):
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator)
    statements = statements_during(app, lambda: client.get(f"/cases/{case_id}"))
    assert not [sql for sql in statements if ApiConsent.__tablename__ in sql]


def test_consent_recorded_as_other_is_still_looked_up_among_the_channels(app, signed_in, create_case):
    """The guard of the test above: the lookup is skipped by the method, not dropped."""
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator, consent_method="other")
    statements = statements_during(app, lambda: client.get(f"/cases/{case_id}"))
    assert [sql for sql in statements if ApiConsent.__tablename__ in sql]
    assert INTAKE["consent_method"] != "other"


def test_a_case_page_sends_as_many_statements_with_a_long_history_as_with_none(app, signed_in, make_user, create_case, partner):
    """Who recorded each consent answer, the partners it names, each note's author and each
    referral's partner and referrer come joined to their rows: a case with all of them, from two
    colleagues, costs the page no more statements than a bare one."""
    client, coordinator = signed_in("coordinator")
    colleague = make_user("coordinator")
    bare = create_case(by=coordinator)
    rich = create_case(by=coordinator, consent_partners=[partner], phone="+79160000009", telegram="@rich_history")
    with app.app_context():
        case, clinic = db.session.get(Case, rich), db.session.get(Partner, partner)
        for author in (coordinator, colleague, coordinator):
            operations.add_note(case, "Called back.", db.session.get(User, author.id))
        consent.decide(case, "contact", True, "phone", db.session.get(User, colleague.id))
        operations.refer(case, clinic, "Legal advice", db.session.get(User, colleague.id))
        db.session.commit()
    counts = {}
    for name, case_id in (("bare", bare), ("rich", rich)):
        client.get(f"/cases/{case_id}")  # the first view of a case differs (its read budget); count the second
        counts[name] = len(statements_during(app, lambda case_id=case_id: client.get(f"/cases/{case_id}")))
    page = client.get(f"/cases/{rich}").get_data(as_text=True)
    assert colleague.email in page and "Refugee Law Clinic" in page and page.count('class="note"') == 3
    assert counts["rich"] == counts["bare"], counts


def test_a_case_list_sends_as_many_statements_with_assignees_as_without(app, signed_in, make_user, create_case):
    """The volunteers a list names come joined to its rows, not by a statement of their own."""
    client, coordinator = signed_in("coordinator")
    cases = [create_case(by=coordinator, phone=f"+7916000001{n}", telegram=f"@listed_{n}") for n in range(2)]
    client.get("/cases/?status=all")
    unassigned = len(statements_during(app, lambda: client.get("/cases/?status=all")))
    with app.app_context():
        for case_id in cases:
            db.session.get(Case, case_id).assignee_id = make_user("volunteer").id
        db.session.commit()
    page = None

    def send():
        nonlocal page
        page = client.get("/cases/?status=all").get_data(as_text=True)

    assigned = len(statements_during(app, send))
    assert page.count('data-label="Assigned to">volunteer-') == 2
    assert assigned == unassigned
