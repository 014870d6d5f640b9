"""A planted volunteer looking for what leaks where features meet (S14, S15, S21, S22).

Each test is a story of an insider with a valid account. It asserts the safe behaviour, so that it
fails when the leak exists. The existing tests already cover the 404 matrix, list/search scoping, the
intake page of a known person, the read budget and token revocation; these probe the seams between
them: what a volunteer sees *after* the queued duplicate check, a person shared between two cases,
pagers whose work depends on other people's cases, and answers compared byte for byte.
"""

import html
import io
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from casework import clock, jobs
from casework.cases import due as due_module
from casework.cases import operations
from casework.cases import routes as case_routes
from casework.extensions import db
from casework.models import Case, Partner, User
from tests.conftest import csrf_from
from tests.factories import INTAKE
from tests.routes import build
from tests.statements import statements_during
from tests.test_cases_workflow import SAME_MAN, case_id_from, intake, token
from tests.test_insider_reads import UNKNOWN

PDF = b"%PDF-1.4\n% a scanned summons\n%%EOF\n"


# Helpers -------------------------------------------------------------------------------------


def normalised(response, *values) -> str:
    """A page with what legitimately differs between two requests taken out: CSRF tokens, UUIDs,
    and the values given (names, phones of the person the request was about)."""
    page = html.unescape(response.get_data(as_text=True))
    page = re.sub(r'name="csrf_token"( type="hidden")? value="[^"]+"', "CSRF", page)
    page = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", page)
    for value in values:
        if value:
            page = page.replace(str(value), "VALUE")
    return page


def attach_document(app, case_id: str) -> str:
    from casework.people.documents import store_document

    with app.app_context():
        case = db.session.get(Case, case_id)
        document = store_document(case.person, "summons.pdf", PDF)
        document.case_id = case.id
        db.session.commit()
        return document.id


def case_rules(app, method: str):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("cases.") and method in rule.methods]


# S21: the queued duplicate check must not come back to the volunteer ----------------------------


def test_a_volunteers_own_case_does_not_say_the_person_was_already_known(app, signed_in, make_user, create_case):
    """S21 "nothing a volunteer sees depends on people they may not see". The intake page itself is
    identical for a known and an unknown person (tests/test_insider_reads.py), but the duplicate check
    runs after it, and marks the case. A planted volunteer who logs a name they want to check and opens
    their own case a minute later must not learn from it (case page, case list, search result) that
    the person is already in Casework: that mark is for the coordinators' duplicate queue only."""
    create_case(by=make_user("coordinator"))  # Sokolov, whom SAME_MAN matches by phone
    client, _volunteer = signed_in("volunteer")
    known = case_id_from(intake(client, **SAME_MAN))
    unknown = case_id_from(intake(client, **UNKNOWN))
    with app.app_context():
        assert jobs.run_queued() == 2
        assert db.session.get(Case, known).possible_duplicate, "the check itself works, so the comparison below means something"
        assert not db.session.get(Case, unknown).possible_duplicate

    values = [*SAME_MAN.values(), *UNKNOWN.values(), "+79161234567", "Sokolov"]
    client.get("/")  # the sign-in's flash message is shown once, here
    telling = []
    known_page = normalised(client.get(f"/cases/{known}"), *values)
    unknown_page = normalised(client.get(f"/cases/{unknown}"), *values)
    if "possible duplicate" in known_page.lower() or known_page.splitlines() != unknown_page.splitlines():
        telling.append(f"case page GET /cases/{known}")
    if "possible duplicate" in html.unescape(client.get("/cases/").get_data(as_text=True)).lower():
        telling.append("case list GET /cases/")
    csrf = token(client, "/cases/search")
    found = client.post("/cases/search", data={"csrf_token": csrf, "field": "phone", "value": SAME_MAN["phone"]})
    assert known in found.get_data(as_text=True), "search itself works"
    if "possible duplicate" in html.unescape(found.get_data(as_text=True)).lower():
        telling.append("search results POST /cases/search")
    assert telling == [], (
        "after the queued duplicate check, the volunteer's own intake of a person already known is marked "
        f"'possible duplicate' on: {', '.join(telling)}"
    )


# A person shared by two cases ------------------------------------------------------------------


def test_a_volunteer_does_not_learn_who_works_the_persons_other_case(app, signed_in, make_user, create_case):
    """The case page lists the person's other cases only where the reader may see them (case_record:
    other_cases is scoped by visible_cases), so that a volunteer does not learn that another case of
    their person exists, nor who works it. Consent is kept per person, and the consent table and its
    history ("Earlier decisions") name who recorded each answer and when: when volunteer B logged the
    person months before and a coordinator later opened a second case for him and gave it to
    volunteer A, A's case page must not name B (nor, thereby, the other case)."""
    coordinator = make_user("coordinator")
    volunteer_b = make_user("volunteer", email="volunteer-b-holds-the-first-case@casework.example.org")
    first = create_case(by=volunteer_b)  # logged by B, so assigned to B; the consent row is B's
    client, volunteer_a = signed_in("volunteer")
    with app.app_context():
        person = db.session.get(Case, first).person
        second = operations.create_case(
            {**INTAKE, "narrative": "Came back for help with his permit."},
            db.session.get(User, coordinator.id),
            existing_person=person,
        )
        second.assignee_id = volunteer_a.id
        db.session.commit()
        second_id = second.id
    assert client.get(f"/cases/{first}").status_code == 404, "A may not see B's case"
    page = html.unescape(client.get(f"/cases/{second_id}").get_data(as_text=True))
    assert "Came back for help" in page, "A sees their own case"
    assert volunteer_b.email not in page, (
        f"volunteer A's case page names volunteer B ({volunteer_b.email}), who recorded consent on the "
        "person's other case that A may not see (consent table / 'Earlier decisions')"
    )


# Pagers whose work depends on others' cases ----------------------------------------------------


def test_the_due_lists_pager_does_not_depend_on_cases_the_volunteer_may_not_see(
    app, signed_in, make_user, create_case, monkeypatch
):
    """S21. "Due soon" reads only the deadline bands that may hold a due date; whether a later band is
    read is decided by asking whether *any* case in the database sits in that band since long enough
    (due.bands_to_read), not only the reader's. The reader's own far-off cases in that band then join
    the paged list, and its pager changes: a volunteer learns whether a stale case exists somewhere.
    The page size is shrunk to one case, as for a volunteer with a full page of urgent cases."""
    monkeypatch.setattr(due_module, "PAGE_CASES", 1)
    app.config["CASEWORK_VOLUNTEER_VIEWS_PER_HOUR"] = 1000
    client, volunteer = signed_in("volunteer")
    create_case(by=volunteer, surname_latin="Abramov", phone="+79160000001", telegram="@abramov1")  # permit in 10 days
    create_case(
        by=volunteer,
        surname_latin="Belov",
        phone="+79160000002",
        telegram="@belov2",
        permit_expires_on=clock.today() + timedelta(days=200),
    )  # nothing due for months: a later band, banded today
    client.get("/")  # the sign-in's flash message is shown once, here
    before = normalised(client.get("/cases/due"))

    someone_elses = create_case(
        by=make_user("coordinator"),
        surname_latin="Zotov",
        phone="+79160000003",
        telegram="@zotov3",
        permit_expires_on=clock.today() + timedelta(days=300),
    )
    with app.app_context():
        band = db.session.get(Case, someone_elses).deadline_band
        db.session.execute(
            update(Case).where(Case.id == someone_elses).values(deadline_band_on=clock.today() - timedelta(days=60))
        )
        db.session.commit()
    assert band == 2, "the other case is in the later band"
    after = normalised(client.get("/cases/due"))
    assert "Zotov" not in after
    assert before == after, (
        "the volunteer's 'Due soon' page (its pager) changed when a case they may not see, in a later band "
        "banded long ago, was added: due.bands_to_read looks at every case, not the reader's"
    )


# Every case URL: another's case answers exactly as a case that does not exist -------------------


@pytest.fixture
def others(app, make_user, create_case, partner):
    """Another volunteer's case with a document, another's case whose person was erased, and ids
    that exist nowhere."""
    coordinator, other = make_user("coordinator"), make_user("volunteer")
    live = create_case(by=coordinator, assignee=other, consent_partners=[partner])
    document = attach_document(app, live)
    erased = create_case(by=coordinator, assignee=other, surname_latin="Erasedov", phone="+79160000099", telegram="@er99")
    with app.app_context():
        actor = db.session.get(User, coordinator.id)
        case = db.session.get(Case, live)
        referral = operations.refer(case, db.session.get(Partner, partner), "Legal advice", actor).id
        operations.erase(db.session.get(Case, erased), actor)
        db.session.commit()
    return {"live": live, "document": document, "erased": erased, "referral": referral, "partner": partner}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_another_volunteers_case_answers_byte_for_byte_like_one_that_does_not_exist(app, signed_in, create_case, others, method):
    """S14/S21: on every case URL of the URL map, another volunteer's case (live or erased), its real
    document id and a made-up id give the same status and the same page, so that not even the error
    page's wording or length confirms that a case id exists. Checked again with the volunteer's read
    budget spent: a refusal for budget (429) would confirm the id, a 404 does not."""
    client, volunteer = signed_in("volunteer")
    own = create_case(by=volunteer, surname_latin="Abramov", phone="+79160000001", telegram="@abramov1")
    csrf = token(client)
    body = lambda: {  # noqa: E731
        "csrf_token": csrf,
        "body": "note",
        "status": "closed",
        "assignee": str(volunteer.id),
        "partner": str(others["partner"]),
        "purpose": "x",
        "confirm": "erase",
        "version": "1",
        "decision": "granted",
        "upload": (io.BytesIO(PDF), "scan.pdf"),
    }
    nowhere = str(uuid.uuid4())
    checked = 0
    for spent in (False, True):
        if spent:
            app.config["CASEWORK_VOLUNTEER_VIEWS_PER_HOUR"] = 1
            client.get(f"/cases/{own}")
            assert client.get(f"/cases/{own}").status_code == 429, "the budget is spent"
        for rule in case_rules(app, method):
            if "case_id" not in rule.arguments:
                continue
            answers = {}
            for name, case_id, document in (
                ("nowhere", nowhere, str(uuid.uuid4())),
                ("another's", others["live"], others["document"]),
                ("another's erased", others["erased"], str(uuid.uuid4())),
                ("own case, another's document", own, others["document"]),
            ):
                if name.startswith("own") and "document_id" not in rule.arguments:
                    continue
                url = build(app, rule, case_id=case_id, document_id=document, referral_id=others["referral"], rule_id="R1")
                response = client.open(url, method=method, data=body() if method == "POST" else None)
                answers[name] = (response.status_code, response.mimetype, normalised(response))
            statuses = {name: answer[0] for name, answer in answers.items()}
            assert len(set(answers.values())) == 1, (
                f"{method} {rule.rule} (budget spent: {spent}) answers differently: {statuses}"
            )
            checked += 1
    assert checked >= (2 * 4 if method == "GET" else 2 * 10), f"only {checked} case URLs compared"


# A reassigned case is gone for the volunteer who had it -----------------------------------------


def test_a_case_taken_away_from_a_volunteer_is_gone_everywhere_at_once(app, signed_in, make_user, create_case):
    """A coordinator reassigns a case (say, because they suspect the volunteer). With the volunteer's
    session still open, the case must vanish from every place at once: each case URL answers as for
    an id that never existed, and the lists, due list, home page and search no longer show it."""
    coordinator = make_user("coordinator")
    client, volunteer = signed_in("volunteer")
    app.config["CASEWORK_VOLUNTEER_VIEWS_PER_HOUR"] = 1000
    taken = create_case(by=coordinator, assignee=volunteer)
    document = attach_document(app, taken)
    for path in ("/", "/cases/", "/cases/due"):
        assert "Sokolov" in html.unescape(client.get(path).get_data(as_text=True)), f"{path} showed the case before"
    with app.app_context():
        operations.assign(
            db.session.get(Case, taken), db.session.get(User, make_user("volunteer").id), db.session.get(User, coordinator.id)
        )
        db.session.commit()
    for path in ("/", "/cases/", "/cases/?status=all", "/cases/due", "/cases/due?days=365"):
        page = html.unescape(client.get(path).get_data(as_text=True))
        assert "Sokolov" not in page and taken not in page, f"{path} still shows the case taken away"
    found = client.post("/cases/search", data={"csrf_token": token(client), "field": "phone", "value": INTAKE["phone"]})
    assert "Sokolov" not in html.unescape(found.get_data(as_text=True)), "search still finds the case taken away"
    nowhere = str(uuid.uuid4())
    for rule in case_rules(app, "GET"):
        if "case_id" not in rule.arguments:
            continue
        theirs = client.get(build(app, rule, case_id=taken, document_id=document, referral_id=nowhere, rule_id="R1"))
        unknown = client.get(build(app, rule, case_id=nowhere, document_id=nowhere, referral_id=nowhere, rule_id="R1"))
        assert (theirs.status_code, normalised(theirs)) == (unknown.status_code, normalised(unknown)), (
            f"{rule.rule} still answers {theirs.status_code} for the case taken away"
        )


# Every page a volunteer can open is the same whether or not others have cases ------------------


def _volunteer_urls(app) -> list[str]:
    """Every GET page of the URL map a volunteer may open that needs no id, with the list filters."""
    from casework.permissions import ROLE_CAPABILITIES, capability_of

    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint in ("static",) or rule.endpoint.startswith("security."):
            continue
        if capability_of(app, rule.endpoint) in ROLE_CAPABILITIES["volunteer"]:
            urls.append(build(app, rule))
    extra = [
        "/cases/?status=all",
        "/cases/?status=closed",
        "/cases/?window=3650",
        "/cases/?overdue=1",
        "/cases/?sort=newest",
        "/cases/?page=2",
        "/cases/?left_out=1",
        "/cases/?proposal=P3",
        "/cases/?rule=R7",
        "/cases/?need=legal_advice",
        "/cases/?assignee=1",
        "/cases/due?days=3650",
        "/cases/due?page=2",
    ]
    return sorted(set(urls)) + extra


def test_no_page_a_volunteer_opens_changes_when_others_log_cases(app, signed_in, make_user, create_case, monkeypatch):
    """S21 over the whole URL map: a volunteer with two cases of their own opens every page they may
    (home, lists with each filter, due list, search form, help, and every page of their own case);
    then new colleagues join and log cases of every kind (urgent, overdue, far off and banded long
    ago, possible duplicates, closed, unassigned, erased), and the volunteer opens them all again:
    every page must be the same (no count, no pager, no colleague's address in a form). Page sizes
    are shrunk so that a pager that counted others' cases would show."""
    monkeypatch.setattr(case_routes, "PAGE_SIZE", 1)
    monkeypatch.setattr(due_module, "PAGE_CASES", 1)
    app.config["CASEWORK_VOLUNTEER_VIEWS_PER_HOUR"] = 10_000
    client, volunteer = signed_in("volunteer")
    own = create_case(by=volunteer, surname_latin="Abramov", phone="+79160000001", telegram="@abramov1")
    create_case(by=volunteer, surname_latin="Belov", phone="+79160000002", telegram="@belov2", needs=["housing"])
    urls = _volunteer_urls(app) + [f"/cases/{own}", f"/cases/{own}/edit", f"/cases/{own}/notes"]
    assert len(urls) >= 18
    before = {url: (client.get(url).status_code, normalised(client.get(url))) for url in urls}

    coordinator, colleague = make_user("coordinator"), make_user("volunteer")
    for n, overrides in enumerate(
        [
            {},
            {"permit_expires_on": clock.today() - timedelta(days=5)},
            {"permit_expires_on": clock.today() + timedelta(days=3)},
            {"permit_expires_on": clock.today() + timedelta(days=400)},
            {"needs": ["housing"], "dutch_status": "student"},
        ]
    ):
        create_case(
            by=colleague, surname_latin=f"Colleague{n}x", phone=f"+7916111{n:04d}", telegram=f"@colleague{n}", **overrides
        )
        create_case(
            by=coordinator, surname_latin=f"Unassigned{n}x", phone=f"+7916222{n:04d}", telegram=f"@unassigned{n}", **overrides
        )
    with app.app_context():
        actor = db.session.get(User, coordinator.id)
        for case in db.session.query(Case).filter(Case.assignee_id != volunteer.id).limit(2):
            case.possible_duplicate = True
        closed = db.session.query(Case).filter(Case.assignee_id == colleague.id).first()
        operations.change_status(closed, "closed", "resolved", actor)
        erased = db.session.query(Case).filter(Case.assignee_id.is_(None)).first()
        operations.erase(erased, actor)
        db.session.execute(
            update(Case).where(Case.assignee_id != volunteer.id).values(deadline_band_on=clock.today() - timedelta(days=200))
        )
        db.session.commit()

    for url in urls:
        after = (client.get(url).status_code, normalised(client.get(url)))
        assert after == before[url], f"{url} changed for the volunteer when colleagues logged cases they may not see"


# Search: an identifier of someone else's person answers like an unknown one ----------------------


@pytest.mark.parametrize(
    ("field", "theirs", "nobodys"),
    [
        ("phone", INTAKE["phone"], "+79165550000"),
        ("telegram", INTAKE["telegram"], "@nobody_at_all"),
        ("passport", "7512345678", "7599999999"),
        ("email", "dsokolov@example.org", "nobody@example.org"),
        ("name", "Соколов", "Орлов"),
    ],
)
def test_searching_for_another_volunteers_person_answers_like_an_unknown_value(
    app, signed_in, make_user, create_case, field, theirs, nobodys
):
    """S21: the search page for an identifier that belongs to a person another volunteer works, and
    for one nobody has, must be identical (status, page, and the work done: the number of statements,
    which is what timing would tell)."""
    create_case(
        by=make_user("volunteer"), passport_number="7512345678", email="dsokolov@example.org"
    )  # Sokolov, another volunteer's
    client, volunteer = signed_in("volunteer")
    create_case(by=volunteer, surname_latin="Abramov", surname_cyrillic="Абрамов", phone="+79160000001", telegram="@abramov1")
    results = []
    for value in (theirs, nobodys):
        csrf = token(client, "/cases/search")
        answered = {}

        def search(csrf=csrf, value=value, answered=answered):
            answered["response"] = client.post("/cases/search", data={"csrf_token": csrf, "field": field, "value": value})

        seen = statements_during(app, search)
        response = answered["response"]
        results.append((response.status_code, normalised(response, theirs, nobodys), len(seen)))
    (their_status, their_page, their_work), (no_status, no_page, no_work) = results
    assert their_status == no_status == 200
    assert their_page.splitlines() == no_page.splitlines(), f"searching {field} of another's person answers differently"
    assert their_work == no_work, (
        f"searching {field} of another's person does {their_work} statements, an unknown value {no_work}"
    )


# Erasure: nothing of an erased person anywhere a coordinator looks ------------------------------


def test_an_erased_person_shows_nowhere_a_coordinator_looks(app, signed_in, make_user, create_case, partner):
    """S6 across features: after erasure, no page a coordinator can open (every GET page of the URL map
    that their role may use, filled with the erased case's ids), no search and no intake duplicate
    warning shows the person's name, phone or story."""
    from tests.routes import pages

    client, coordinator = signed_in("coordinator")
    volunteer = make_user("volunteer")
    case_id = create_case(by=coordinator, assignee=volunteer, consent_partners=[partner])
    document = attach_document(app, case_id)
    with app.app_context():
        actor = db.session.get(User, coordinator.id)
        case = db.session.get(Case, case_id)
        operations.add_note(case, "Hiding at his aunt's in Tver.", actor)
        referral = operations.refer(case, db.session.get(Partner, partner), "Lawyer for Sokolov", actor)
        case.possible_duplicate = True
        db.session.commit()
        referral_id = referral.id
    csrf = token(client)
    assert client.post(f"/cases/{case_id}/erase", data={"csrf_token": csrf, "confirm": "erase"}).status_code == 302
    markers = ("Sokolov", "Соколов", "Dmitri", "9161234567", "dsokolov", "mobilisation summons", "aunt", "Lawyer for")
    ids = {
        "case_id": case_id,
        "document_id": document,
        "referral_id": referral_id,
        "user_id": volunteer.id,
        "partner_id": partner,
        "rule_id": "R1",
        "period": "2026Q1",
    }
    for url in pages(app, "coordinator", ids) + ["/cases/?status=all", "/cases/duplicates", "/cases/new-this-week"]:
        page = html.unescape(client.get(url).get_data(as_text=True))
        for marker in markers:
            assert marker not in page, f"{marker!r} of an erased person is on {url}"
    for field, value in (("phone", INTAKE["phone"]), ("name", "Sokolov")):
        found = html.unescape(
            client.post("/cases/search", data={"csrf_token": csrf, "field": field, "value": value}).get_data(as_text=True)
        )
        assert "Sokolov" not in found.replace('value="Sokolov"', ""), f"search by {field} finds the erased person"
    warned = intake(client, csrf=token(client, "/cases/new"))
    assert warned.status_code == 302, "a coordinator's intake of the same man is warned about the erased person"


def test_an_upload_over_the_servers_limit_to_anothers_case_answers_like_one_to_no_case(app, signed_in, create_case, others):
    """A request over the server's size limit never reaches the view: its own error handler answers
    (routes.upload_too_large), and it must apply the same scope. On their own case the volunteer gets
    the case page with the limit (413); on another's case, live or erased, exactly what a made-up id gets."""
    app.config["MAX_CONTENT_LENGTH"] = 2048
    client, volunteer = signed_in("volunteer")
    own = create_case(by=volunteer, surname_latin="Abramov", phone="+79160000001", telegram="@abramov1")
    csrf = token(client)
    answers = {}
    for name, case_id in (
        ("own", own),
        ("nowhere", str(uuid.uuid4())),
        ("another's", others["live"]),
        ("erased", others["erased"]),
    ):
        response = client.post(
            f"/cases/{case_id}/documents", data={"csrf_token": csrf, "upload": (io.BytesIO(PDF + b"0" * 4096), "scan.pdf")}
        )
        answers[name] = (response.status_code, normalised(response))
    assert answers["own"][0] == 413 and "Abramov" in answers["own"][1], "the limit is answered on the volunteer's own case"
    assert answers["another's"] == answers["nowhere"] == answers["erased"], {name: a[0] for name, a in answers.items()}


# S9 for accounts that are no longer (or not yet) in use ------------------------------------------


def test_a_deactivated_or_never_enrolled_account_signs_in_like_an_unknown_one(app, make_user):
    """S9: "login does not reveal which accounts exist". A volunteer found out and deactivated (or an
    outsider holding a leaked address list) tries addresses: a deactivated account or one invited but
    never set up, with a wrong password, must answer as an address nobody has."""
    from tests.conftest import csrf as csrf_of

    deactivated = make_user("volunteer", active=False)
    never_enrolled = make_user("volunteer", enrolled=False)

    def attempt(email):
        client = app.test_client()
        response = client.post(
            "/login", data={"email": email, "password": "not the right password at all", "csrf_token": csrf_of(client)}
        )
        page = response.get_data(as_text=True).replace(email, "EMAIL")
        return response.status_code, re.sub(r'value="[^"]*"', 'value=""', page)

    unknown = attempt("not-an-account@casework.example.org")
    assert attempt(deactivated.email) == unknown, "a deactivated account answers differently from an unknown one"
    assert attempt(never_enrolled.email) == unknown, "an account never set up answers differently from an unknown one"


# S15: no page shows a person without a trail ------------------------------------------------------


@pytest.mark.parametrize("role", ["volunteer", "coordinator"])
def test_every_page_that_shows_a_person_leaves_an_audit_row(app, full_site, role):
    """S15: "every view ... of personal data writes an audit row"; security.md: every case a planted
    volunteer opens is in the log coordinators review. Walk every GET page of the URL map this role
    may open (filled with real ids: a case with a note and a referral, an import waiting for its
    values): each page that shows a person's name must have written at least one audit row."""
    from sqlalchemy import func, select

    from casework.models import AuditEvent
    from tests.conftest import sign_in
    from tests.routes import pages

    app.config["CASEWORK_VOLUNTEER_VIEWS_PER_HOUR"] = 10_000
    user = full_site[role]
    client = app.test_client()
    assert sign_in(client, app, user).status_code == 302
    client.get("/cases/help")  # the sign-in's flash message is shown once, here

    def rows() -> int:
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(AuditEvent))

    unaudited = []
    for url in sorted({"/", *pages(app, role, full_site["ids"])}):
        before = rows()
        page = html.unescape(client.get(url).get_data(as_text=True))
        shown = [name for name in ("Sokolov", "Соколов", "Demoimportov") if name in page]
        if shown and rows() == before:
            unaudited.append(f"{url} (shows {', '.join(shown)})")
    assert unaudited == [], f"pages that show a person to a {role} without writing an audit row: {unaudited}"


@pytest.mark.parametrize("role", ["advocate", "admin"])
def test_no_page_of_an_advocate_or_admin_changes_when_cases_are_logged(app, signed_in, make_user, create_case, role):
    """Advocates see only published statistics; admins manage accounts and keys and read no case.
    Every page their role may open (the URL map, filled with a volunteer's account id) must be the
    same before and after cases are logged, assigned to that volunteer, flagged and erased: no count,
    no name, no progress. The audit trail is left out: it lists its rows by design for those who read it."""
    from tests.routes import pages

    client, _user = signed_in(role)
    volunteer, coordinator = make_user("volunteer"), make_user("coordinator")
    ids = {"user_id": volunteer.id, "partner_id": 1, "rule_id": "R1", "period": "2026Q1"}
    urls = [url for url in sorted({"/", *pages(app, role, ids)}) if not url.startswith("/audit")]
    client.get("/change")  # the sign-in's flash message is shown once, here
    before = {url: (client.get(url).status_code, normalised(client.get(url))) for url in urls}
    for n in range(7):
        case_id = create_case(
            by=coordinator, assignee=volunteer, surname_latin=f"Logged{n}x", phone=f"+7916333{n:04d}", telegram=f"@logged{n}"
        )
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.possible_duplicate = True
        operations.erase(case, db.session.get(User, coordinator.id))
        db.session.commit()
    changed = [url for url in urls if (client.get(url).status_code, normalised(client.get(url))) != before[url]]
    assert changed == [], f"pages of an {role} that changed when cases were logged: {changed}"


# S22: the case list shows what the due list shows, and must draw on the same budget ---------------


def test_the_case_list_is_refused_like_the_due_list_once_the_read_budget_is_spent(app, signed_in, create_case):
    """S22: "one read budget per volunteer over every route that shows personal data". The case list
    shows each case's person by name with its next deadline's exact date (decrypted), as the due list
    and the home page do; those two are refused once the budget is spent. A volunteer past the budget
    must not be able to keep reading names and dates through the case list and its pages and filters."""
    app.config["CASEWORK_VOLUNTEER_VIEWS_PER_HOUR"] = 2
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)  # Sokolov, permit expiring in 10 days
    assert client.get(f"/cases/{case_id}").status_code == 200
    assert client.get(f"/cases/{case_id}").status_code == 200
    assert client.get(f"/cases/{case_id}").status_code == 429, "the budget is spent"
    assert client.get("/cases/due").status_code == 429, "the due list, which shows the same names, is refused"
    readable = []
    for url in ("/cases/", "/cases/?status=all", "/cases/?sort=newest", "/cases/?window=30"):
        response = client.get(url)
        if "Sokolov" in html.unescape(response.get_data(as_text=True)):
            readable.append(f"{url} ({response.status_code})")
    assert readable == [], f"past the read budget the case list still shows names and deadlines: {readable}"


def test_the_home_page_past_the_read_budget_is_a_refusal_that_flags_the_volunteer(app, signed_in, create_case):
    """S22: the home page lists the volunteer's next deadlines by name and charges them to the read
    budget (main.routes.home). Past the budget, it must answer like every other read: a 429 refusal
    and one flag in the trail for coordinators. A volunteer who spends the budget and then reloads the
    home page must not get a server error (500) that leaves no flag: then a planted volunteer whose
    reads end at the home page is never reported."""
    from sqlalchemy import select

    from casework.cases.read_budget import FLAG
    from casework.models import AuditEvent

    app.config["CASEWORK_VOLUNTEER_VIEWS_PER_HOUR"] = 2
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)  # Sokolov, permit expiring in 10 days: on the home page
    client.get("/cases/help")  # the sign-in's flash message is shown once, here
    assert client.get(f"/cases/{case_id}").status_code == 200
    assert client.get(f"/cases/{case_id}").status_code == 200
    response = client.get("/")
    assert "Sokolov" not in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        flagged = db.session.scalars(select(AuditEvent.actor_id).where(AuditEvent.action == FLAG)).all()
    assert (response.status_code, flagged) == (429, [volunteer.id]), (
        f"GET / past the read budget answered {response.status_code} and raised flags for {flagged}: the "
        "BudgetSpent handler is registered on the cases blueprint only"
    )


# Accounts taken away half-way --------------------------------------------------------------------


def test_an_account_deactivated_between_password_and_code_does_not_get_in(app, make_user):
    """A volunteer is found out while signing in: they gave the password, the admin deactivates the
    account, and they then type the authenticator code. The half-way state must not survive the
    deactivation: no case list, no home page."""
    from casework.admin import operations as admin_operations
    from tests.conftest import submit_password, totp_code

    user = make_user("volunteer")
    client = app.test_client()
    response = submit_password(client, user.email)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        admin_operations.deactivate(db.session.get(User, user.id))
        db.session.commit()
    client.post("/tf-validate", data={"code": totp_code(app, user), "csrf_token": csrf_from(page)})
    assert client.get("/cases/").status_code == 302 and client.get("/").status_code == 302, (
        "an account deactivated between its password and its code is signed in"
    )


def test_a_setup_link_issued_before_deactivation_does_not_open_the_account(app, signed_in, make_user):
    """An admin hands a volunteer a setup link (a forgotten password), then deactivates the account:
    whoever holds the link must not get a signed-in session with it."""
    from casework.admin import operations as admin_operations
    from tests.test_admin import _enrol, _set_password

    user = make_user("volunteer", enrolled=False)
    _admin_client, _admin = signed_in("admin")
    with app.app_context():
        link = admin_operations.issue_setup_link(db.session.get(User, user.id))
        admin_operations.deactivate(db.session.get(User, user.id))
        db.session.commit()
    path = re.search(r"(/reset/.+)$", link).group(1)
    holder = app.test_client()
    if holder.get(path).status_code == 200:  # the form opens: go on as far as it lets us
        _set_password(holder, path)
        try:
            _enrol(holder)
        except (AttributeError, AssertionError):
            pass  # no enrolment page: refused on the way
    assert holder.get("/").status_code == 302 and holder.get("/cases/").status_code == 302, (
        "the setup link of a deactivated account still signs someone in"
    )


def test_correcting_a_note_of_anothers_case_answers_like_a_note_that_does_not_exist(app, signed_in, make_user, create_case):
    """A new note can correct an earlier one, named by its id. A volunteer who puts the id of a note
    on another volunteer's case into their own case's note form must get exactly the answer a made-up
    id gets: not a different message, and nothing stored."""
    from sqlalchemy import func, select

    from casework.models import Note

    other = make_user("volunteer")
    theirs = create_case(by=other)
    with app.app_context():
        note = operations.add_note(db.session.get(Case, theirs), "He moved to Tbilisi.", db.session.get(User, other.id))
        db.session.commit()
        their_note = note.id
    client, volunteer = signed_in("volunteer")
    app.config["CASEWORK_VOLUNTEER_VIEWS_PER_HOUR"] = 1000
    own = create_case(by=volunteer, surname_latin="Abramov", surname_cyrillic="Абрамов", phone="+79160000001", telegram="@ab1")
    csrf = token(client)
    answers = []
    for corrects in (their_note, str(uuid.uuid4())):
        response = client.post(f"/cases/{own}/notes", data={"csrf_token": csrf, "body": "Correction.", "corrects": corrects})
        answers.append((response.status_code, normalised(response)))
    assert answers[0][0] != 302, "a note correcting another case's note was stored"
    assert answers[0] == answers[1], "a note id of another's case answers differently from a made-up one"
    assert "Tbilisi" not in answers[0][1]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Note)) == 1
