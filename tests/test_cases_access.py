"""Who may reach which case, and the trail every look at a case leaves.

S14: a volunteer gets 404 (not 403) on any case not assigned to them, lists and search show only
theirs, advocates and admins see no case at all; the matrix is built from the URL map, so a new
case route is covered the day it is added.
S15: every view, edit, download or export of a case writes exactly one audit row in the same
transaction; no audit row, no response.
S16: the audit trail holds no personal data and is a keyed hash chain whose tampering is named.
S18: sharing needs recorded consent and a purpose; volunteers cannot export.
"""

import html
import io
import os
import re
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from casework import audit, clock
from casework.cases import operations
from casework.cases import routes as case_routes
from casework.extensions import db
from casework.models import AuditEvent, Case, Document, Note, Partner, Person, PersonKey, Referral, User
from casework.people.documents import store_document
from tests.conftest import csrf_from
from tests.factories import INTAKE
from tests.routes import build

#: Endpoints only a coordinator may use; everything else under "cases." is for volunteers too.
COORDINATOR_ONLY = {
    "cases.unassigned",
    "cases.missing",
    "cases.workload",
    "cases.duplicates",
    "cases.duplicate",
    "cases.assign",
    "cases.refer",
    "cases.export",
    "cases.print_for_partner",
    "cases.new_this_week",
    "cases.erase",
}

PDF = b"%PDF-1.4\n% a scanned summons\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))

#: What the person's data looks like, to look for it where it must not be.
PERSONAL = ("Sokolov", "Соколов", "Dmitri", "Дмитрий", "9161234567", "dsokolov", INTAKE["narrative"])


# Helpers -------------------------------------------------------------------------------------


def token(client) -> str:
    """A CSRF token for this client's session, taken from the home page."""
    return csrf_from(client.get("/").get_data(as_text=True))


def case_rules(app, method: str):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("cases.") and method in rule.methods]
    assert rules, f"no case routes answer {method}"
    return rules


def attach_document(app, case_id: str, name: str = "summons.pdf", content: bytes = PDF) -> str:
    """Store a real, encrypted document for the case's person and file it under the case."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        document = store_document(case.person, name, content)
        document.case_id = case.id
        db.session.commit()
        return document.id


def post_body(csrf: str, world) -> dict:
    """A form that every case POST route would accept if it let the user in: a note, a status, an
    assignee, a consented partner, the erase confirmation, a search, a file."""
    return {
        "csrf_token": csrf,
        "body": "Called the lawyer.",
        "status": "closed",
        "outcome": "resolved",
        "assignee": str(world.other.id),
        "partner": str(world.partner),
        "purpose": "Legal advice on the asylum procedure",
        "confirm": "erase",
        "choice": "different",
        "field": "phone",
        "value": INTAKE["phone"],
        "surname_latin": "Sokolov",
        "consent_store": "y",
        "consent_method": "telegram",
        "version": "1",
        "upload": (io.BytesIO(PNG), "scan.png"),
    }


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def audit_rows_after(app, count: int) -> list:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq).offset(count)).all()
        db.session.expunge_all()
        return rows


def unchanged(app, world) -> None:
    """The case of `world` is as it was created: nothing was written through a refused request."""
    with app.app_context():
        case = db.session.get(Case, world.case_id)
        assert case.status == "new" and case.assignee_id == world.owner.id
        assert db.session.scalar(select(func.count()).select_from(Note)) == 0
        assert db.session.scalar(select(func.count()).select_from(Referral)) == 0
        assert db.session.scalar(select(func.count()).select_from(Document)) == 1
        assert db.session.get(PersonKey, case.person_id) is not None


@pytest.fixture
def world(app, make_user, create_case, partner):
    """A coordinator's case assigned to volunteer `owner`, with a document and consent to share with `partner`."""
    coordinator, owner, other = make_user("coordinator"), make_user("volunteer"), make_user("volunteer")
    case_id = create_case(by=coordinator, assignee=owner, consent_partners=[partner])
    return SimpleNamespace(
        coordinator=coordinator,
        owner=owner,
        other=other,
        partner=partner,
        case_id=case_id,
        document_id=attach_document(app, case_id),
    )


# S14: the matrix -----------------------------------------------------------------------------


def test_coordinator_only_endpoints_exist(app):
    """The hand-written list of coordinator-only endpoints names only routes that are registered."""
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert COORDINATOR_ONLY <= registered


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_volunteer_gets_404_on_every_route_of_a_case_assigned_to_someone_else(app, signed_in, world, method):
    """S14: not 403, not 200, not a redirect to the case: the case does not exist for them."""
    client, _volunteer = signed_in("volunteer")
    csrf = token(client)
    checked = 0
    for rule in case_rules(app, method):
        if "case_id" not in rule.arguments:
            continue
        url = build(app, rule, case_id=world.case_id, document_id=world.document_id)
        response = client.open(url, method=method, data=post_body(csrf, world) if method == "POST" else None)
        assert response.status_code == 404, f"volunteer got {response.status_code} for {method} {url}"
        assert "Sokolov" not in response.get_data(as_text=True)
        checked += 1
    assert checked >= (3 if method == "GET" else 8)
    unchanged(app, world)


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", ["advocate", "admin"])
def test_advocates_and_admins_get_404_on_every_case_route(app, signed_in, world, role, method):
    """S14: advocates see no case at all; neither do admins, who manage accounts and keys."""
    client, _user = signed_in(role)
    csrf = token(client)
    for rule in case_rules(app, method):
        url = build(app, rule, case_id=world.case_id, document_id=world.document_id)
        response = client.open(url, method=method, data=post_body(csrf, world) if method == "POST" else None)
        assert response.status_code == 404, f"{role} got {response.status_code} for {method} {url}"
    unchanged(app, world)


def test_coordinator_opens_every_case_page(app, signed_in, world):
    """Coordinators triage every case: each GET route answers 200, a download answers with a file."""
    client, _coordinator = signed_in("coordinator")
    with app.app_context():
        actor = db.session.get(User, world.coordinator.id)
        referral_id = operations.refer(
            db.session.get(Case, world.case_id), db.session.get(Partner, world.partner), "Legal advice", actor
        ).id
        db.session.commit()
    for rule in case_rules(app, "GET"):
        url = build(app, rule, case_id=world.case_id, document_id=world.document_id, referral_id=referral_id)
        response = client.get(url)
        assert response.status_code == 200, f"coordinator got {response.status_code} for {url}"
        if "document_id" in rule.arguments:
            assert response.headers["Content-Disposition"].startswith("attachment")
            assert response.data == PDF


def test_volunteer_opens_every_page_of_their_own_case_but_no_coordinator_page(app, signed_in, make_user, create_case, world):
    """The volunteer/coordinator split: coordinator-only routes answer 404 to a volunteer even for
    their own case, whatever the method; every other GET route works for their own case."""
    client, volunteer = signed_in("volunteer")
    coordinator = make_user("coordinator")
    own = create_case(
        by=coordinator, assignee=volunteer, surname_latin="Abramov", surname_cyrillic="Абрамов", phone="+79160000001"
    )
    own_document = attach_document(app, own, content=PNG)
    csrf = token(client)
    for method in ("GET", "POST"):
        for rule in case_rules(app, method):
            url = build(app, rule, case_id=own, document_id=own_document)
            if rule.endpoint in COORDINATOR_ONLY:
                response = client.open(url, method=method, data=post_body(csrf, world) if method == "POST" else None)
                assert response.status_code == 404, f"volunteer got {response.status_code} for coordinator-only {method} {url}"
            elif method == "GET":
                response = client.get(url)
                assert response.status_code == 200, f"volunteer got {response.status_code} for their own {url}"
    with app.app_context():
        case = db.session.get(Case, own)
        assert case.person.key is not None and case.assignee_id == volunteer.id, "a coordinator-only POST changed the case"


def test_volunteer_cannot_reach_another_cases_document_through_their_own_case(app, signed_in, create_case, world):
    client, volunteer = signed_in("volunteer")
    own = create_case(by=volunteer, surname_latin="Abramov", phone="+79160000001")
    assert client.get(f"/cases/{own}/documents/{world.document_id}").status_code == 404


def test_lists_due_page_and_search_show_a_volunteer_only_their_own_cases(app, signed_in, make_user, create_case):
    """S14: "lists, search, exports show only theirs"."""
    client, volunteer_a = signed_in("volunteer")
    volunteer_b = make_user("volunteer")
    create_case(by=volunteer_a, surname_latin="Abramov", surname_cyrillic="Абрамов", phone="+79160000001", telegram="@abramov")
    create_case(by=volunteer_b)  # Sokolov / Соколов, INTAKE's phone; both have a deadline in 10 days
    theirs = ("Sokolov", "Соколов")

    for url in ("/cases/", "/cases/?status=all", "/cases/due", "/cases/due?days=365"):
        page = client.get(url).get_data(as_text=True)
        assert "Abramov" in page, f"{url} does not show the volunteer's own case"
        assert not any(name in page for name in theirs), f"{url} shows another volunteer's case"

    csrf = token(client)
    found = client.post("/cases/search", data={"csrf_token": csrf, "field": "phone", "value": INTAKE["phone"]})
    assert found.status_code == 200
    assert not any(name in found.get_data(as_text=True) for name in theirs)
    own = client.post("/cases/search", data={"csrf_token": csrf, "field": "phone", "value": "+79160000001"})
    assert "Abramov" in own.get_data(as_text=True), "search itself is broken, so the check above proves nothing"

    coordinator, _ = signed_in("coordinator")
    everyone = coordinator.post(
        "/cases/search", data={"csrf_token": token(coordinator), "field": "phone", "value": INTAKE["phone"]}
    )
    assert "Sokolov" in everyone.get_data(as_text=True)


# S15: one audit row per look -----------------------------------------------------------------


@contextmanager
def local_clock_far_from_utc():
    """Run with the process's local time at UTC+14, so that a local timestamp cannot pass for UTC."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "XYZ-14"  # POSIX: local time is UTC+14
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def _edit_save(app, client, world, csrf):
    with app.app_context():
        version = db.session.get(Case, world.case_id).version
    fields = {
        "surname_latin": "Sokolov",
        "surname_cyrillic": "Соколов",
        "phone": INTAKE["phone"],
        "narrative": INTAKE["narrative"],
        "version": version,
    }
    return client.post(f"/cases/{world.case_id}/edit", data={**fields, "csrf_token": csrf})


#: name: (request, expected status, expected action)
AUDITED = {
    "view": (lambda app, c, w, t: c.get(f"/cases/{w.case_id}"), 200, "case_viewed"),
    "edit page": (lambda app, c, w, t: c.get(f"/cases/{w.case_id}/edit"), 200, "case_viewed"),
    "edit save": (_edit_save, 302, "case_edited"),
    "note": (
        lambda app, c, w, t: c.post(f"/cases/{w.case_id}/notes", data={"csrf_token": t, "body": "Called him."}),
        302,
        "note_added",
    ),
    "upload": (
        lambda app, c, w, t: c.post(
            f"/cases/{w.case_id}/documents", data={"csrf_token": t, "upload": (io.BytesIO(PNG), "scan.png")}
        ),
        302,
        "document_uploaded",
    ),
    "download": (lambda app, c, w, t: c.get(f"/cases/{w.case_id}/documents/{w.document_id}"), 200, "document_downloaded"),
    "status": (
        lambda app, c, w, t: c.post(f"/cases/{w.case_id}/status", data={"csrf_token": t, "status": "active"}),
        302,
        "case_status_changed",
    ),
    "assign": (
        lambda app, c, w, t: c.post(f"/cases/{w.case_id}/assign", data={"csrf_token": t, "assignee": w.other.id}),
        302,
        "case_assigned",
    ),
    "referral": (
        lambda app, c, w, t: c.post(
            f"/cases/{w.case_id}/referrals", data={"csrf_token": t, "partner": w.partner, "purpose": "Legal advice"}
        ),
        302,
        "case_referred",
    ),
    "export": (lambda app, c, w, t: c.post(f"/cases/{w.case_id}/export", data={"csrf_token": t}), 200, "person_exported"),
    "duplicate check": (lambda app, c, w, t: c.get(f"/cases/{w.case_id}/duplicate"), 200, "duplicates_shown"),
    "consent withdrawal": (
        lambda app, c, w, t: c.post(f"/cases/{w.case_id}/consent/withdraw", data={"csrf_token": t}),
        302,
        "consent_withdrawn",
    ),
    "erasure": (
        lambda app, c, w, t: c.post(f"/cases/{w.case_id}/erase", data={"csrf_token": t, "confirm": "erase"}),
        302,
        "person_erased",
    ),
}


@pytest.mark.parametrize("name", list(AUDITED))
def test_each_look_at_a_case_writes_exactly_one_audit_row(app, signed_in, world, name):
    """S15: actor, case id, action and a UTC time, one row per request (the view counts too)."""
    send, status, action = AUDITED[name]
    client, coordinator = signed_in("coordinator")
    csrf = token(client)
    before = audit_count(app)
    with local_clock_far_from_utc():
        response = send(app, client, world, csrf)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    rows = audit_rows_after(app, before)
    assert [row.action for row in rows] == [action]
    row = rows[0]
    assert row.actor_id == coordinator.id
    assert row.case_id == world.case_id
    utc_now = datetime.now(timezone.utc).replace(tzinfo=None)
    assert abs(row.at - utc_now) < timedelta(minutes=2), f"audit time {row.at} is not UTC (now {utc_now})"


def test_search_writes_one_audit_row_without_the_terms(app, signed_in, world):
    """S15: a search is audited too, and the row says what kind of search, never the value."""
    client, coordinator = signed_in("coordinator")
    csrf = token(client)
    before = audit_count(app)
    response = client.post("/cases/search", data={"csrf_token": csrf, "field": "phone", "value": INTAKE["phone"]})
    assert response.status_code == 200 and "Sokolov" in response.get_data(as_text=True)
    rows = audit_rows_after(app, before)
    assert [(row.action, row.actor_id) for row in rows] == [("case_search", coordinator.id)]
    assert "9161234567" not in (rows[0].detail or "")


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("notes", {"body": ""}),
        ("referrals", {"partner": "", "purpose": ""}),
        ("documents", {"upload": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "summons.pdf")}),
    ],
    ids=["empty note", "referral without purpose", "refused upload"],
)
def test_a_refused_form_that_shows_the_case_is_still_audited(app, signed_in, world, path, form):
    """S15: "no audit row, no response". A refused form answers 400 with the whole case page (the
    person's name and story), so the row recording that view must be committed, not rolled back."""
    client, coordinator = signed_in("coordinator")
    csrf = token(client)
    before = audit_count(app)
    response = client.post(f"/cases/{world.case_id}/{path}", data={"csrf_token": csrf, **form})
    assert response.status_code == 400
    assert "Sokolov" in response.get_data(as_text=True), "the refusal page shows the case"
    rows = audit_rows_after(app, before)
    assert [(row.action, row.case_id, row.actor_id) for row in rows] == [("case_viewed", world.case_id, coordinator.id)]


def _failing_audit(*_args, **_kwargs):
    raise RuntimeError("the audit table is unavailable")


@pytest.mark.parametrize("path", ["", "/edit", "/documents/{document}", "/export"])
def test_failing_audit_writer_gives_500_without_case_data(app, signed_in, world, monkeypatch, path):
    """S15: no audit row, no response; the error page shows nothing of the person, and a download
    or export sends no bytes of them."""
    client, _coordinator = signed_in("coordinator")
    csrf = token(client)
    monkeypatch.setattr(case_routes.audit, "record", _failing_audit)
    url = f"/cases/{world.case_id}" + path.format(document=world.document_id)
    response = client.post(url, data={"csrf_token": csrf}) if path == "/export" else client.get(url)
    assert response.status_code == 500
    assert response.mimetype == "text/html" and "Content-Disposition" not in response.headers
    body = response.get_data(as_text=True)
    for value in PERSONAL:
        assert value not in body


def test_failing_audit_writer_keeps_nothing_of_the_change(app, signed_in, world, monkeypatch):
    """The audit row and the change share one transaction: without the row, no note is stored."""
    client, _coordinator = signed_in("coordinator")
    csrf = token(client)
    monkeypatch.setattr(case_routes.audit, "record", _failing_audit)
    response = client.post(f"/cases/{world.case_id}/notes", data={"csrf_token": csrf, "body": "Must not be kept"})
    assert response.status_code == 500
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Note)) == 0


# Rate flag -----------------------------------------------------------------------------------


def test_coordinators_are_not_throttled(app, signed_in, create_case):
    app.config["CASEWORK_VOLUNTEER_VIEWS_PER_HOUR"] = 3
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator)
    assert all(client.get(f"/cases/{case_id}").status_code == 200 for _ in range(5))


# S16: no personal data in the trail; tampering is named ------------------------------------------


def test_audit_rows_hold_no_personal_data_after_a_full_flow(app, signed_in, world):
    """S16: after intake, views, edits, notes, documents, search, referral and export, no column
    of the audit trail holds a name, phone, handle, story, note, file name or purpose."""
    volunteer, owner_user = signed_in("volunteer")
    csrf = token(volunteer)
    intake = {
        "csrf_token": csrf,
        "consent_store": "y",
        "consent_method": "telegram",
        "surname_latin": "Sokolov",
        "given_names_latin": "Dmitri",
        "surname_cyrillic": "Соколов",
        "given_names_cyrillic": "Дмитрий",
        "phone": INTAKE["phone"],
        "telegram": INTAKE["telegram"],
        "sex": "M",
        "date_of_birth": "1994-02-03",
        "narrative": INTAKE["narrative"],
    }
    created = volunteer.post("/cases/new", data=intake)
    assert created.status_code == 302
    own = created.headers["Location"].rsplit("/", 1)[-1]
    volunteer.get(f"/cases/{own}")
    volunteer.get(f"/cases/{own}/edit")
    volunteer.post(f"/cases/{own}/notes", data={"csrf_token": csrf, "body": "Met Dmitri at Utrecht station"})
    volunteer.post(f"/cases/{own}/documents", data={"csrf_token": csrf, "upload": (io.BytesIO(PNG), "паспорт-Соколов.png")})
    volunteer.post("/cases/search", data={"csrf_token": csrf, "field": "phone", "value": INTAKE["phone"]})
    volunteer.post("/cases/search", data={"csrf_token": csrf, "field": "name", "value": "Соколов", "given_names": "Дмитрий"})

    coordinator, _ = signed_in("coordinator")
    ccsrf = token(coordinator)
    for path in ("", "/edit", "/duplicate", f"/documents/{world.document_id}"):
        coordinator.get(f"/cases/{world.case_id}{path}")
    coordinator.post(
        f"/cases/{world.case_id}/referrals",
        data={"csrf_token": ccsrf, "partner": world.partner, "purpose": "Asylum lawyer for Sokolov"},
    )
    coordinator.post(f"/cases/{world.case_id}/export", data={"csrf_token": ccsrf})
    coordinator.post(f"/cases/{world.case_id}/assign", data={"csrf_token": ccsrf, "assignee": owner_user.id})

    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM audit_events")).all()
        rows += db.session.execute(text("SELECT * FROM audit_head")).all()
    assert len(rows) > 15
    dump = "\n".join(repr(value) if isinstance(value, bytes) else str(value) for row in rows for value in row)
    for value in (*PERSONAL, "Utrecht", "паспорт", "Asylum lawyer", "+7 916"):
        assert value not in dump, f"{value!r} is in the audit trail"


@pytest.fixture
def audited(app, signed_in, create_case):
    """A trail of at least eight rows: sign-in, intake and a coordinator's views."""
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator)
    for _ in range(6):
        assert client.get(f"/cases/{case_id}").status_code == 200
    with app.app_context():
        seqs = db.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) >= 8
    return seqs


def tamper(app, *statements) -> None:
    with app.app_context():
        for statement, values in statements:
            db.session.execute(text(statement), values)
        db.session.commit()


def verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def assert_names_row(result, seq: int) -> None:
    assert result.exit_code == 1, result.output
    assert re.search(rf"\brow {seq}\b", result.output), f"expected row {seq} to be named: {result.output!r}"
    assert "intact" not in result.output


def test_untouched_chain_verifies(app, audited):
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_concurrent_writers_each_take_their_own_place_in_the_chain(app):
    """S16 under load: four sessions (threads with their own app context) writing 25 audit rows each
    at once all succeed, take 100 distinct places, and the chain verifies. On SQLite, which ignores
    FOR UPDATE, two writers used to read the same head and one failed on a duplicate place."""
    failures, start = [], threading.Barrier(4, timeout=30)

    def write_rows():
        try:
            with app.app_context():
                start.wait()
                for _ in range(25):
                    audit.record("case_list_viewed")
                    db.session.commit()
        except Exception as problem:  # noqa: BLE001  (any failure is what this test looks for)
            failures.append(repr(problem))

    threads = [threading.Thread(target=write_rows) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 100
    result = verify(app)
    assert result.exit_code == 0 and "intact: 100 rows" in result.output, result.output


def test_edited_row_is_named(app, audited):
    """S16: changing a row's detail with raw SQL breaks the chain at exactly that row."""
    tamper(app, ("UPDATE audit_events SET detail = 'nothing' WHERE seq = :seq", {"seq": 4}))
    assert_names_row(verify(app), 4)


def test_edited_actor_is_named(app, audited, make_user):
    """Pinning an action on someone else is an edit too."""
    scapegoat = make_user("volunteer")
    tamper(app, ("UPDATE audit_events SET actor_id = :actor WHERE seq = :seq", {"actor": scapegoat.id, "seq": 5}))
    assert_names_row(verify(app), 5)


def test_deleted_middle_row_is_named(app, audited):
    """Deleting row 4 leaves row 5 following row 3: row 5 is the first that does not fit."""
    tamper(app, ("DELETE FROM audit_events WHERE seq = :seq", {"seq": 4}))
    assert_names_row(verify(app), 5)


def test_swapped_rows_are_named(app, audited):
    """Reordering rows 3 and 4 (swapping their sequence numbers) breaks the chain at row 3."""
    tamper(
        app,
        ("UPDATE audit_events SET seq = -1 WHERE seq = 3", {}),
        ("UPDATE audit_events SET seq = 3 WHERE seq = 4", {}),
        ("UPDATE audit_events SET seq = 4 WHERE seq = -1", {}),
    )
    assert_names_row(verify(app), 3)


def test_deleted_last_row_is_detected(app, audited):
    """Cutting off the newest row leaves a chain that is internally consistent: the head catches it."""
    tamper(app, ("DELETE FROM audit_events WHERE seq = :seq", {"seq": audited[-1]}))
    result = verify(app)
    assert result.exit_code == 1, result.output
    assert "intact" not in result.output


def test_audit_head_prints_the_latest_sequence_number_and_hash(app, audited):
    """S16: the head hash is exportable, to be kept outside the server."""
    result = app.test_cli_runner().invoke(args=["audit", "head"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        last = db.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
        expected = f"{last.seq} {last.digest.hex()}"
    assert result.output.strip() == expected
    assert re.fullmatch(r"\d+ [0-9a-f]{64}", result.output.strip())


# S18: sharing and export ---------------------------------------------------------------------


def test_volunteers_cannot_export_even_their_own_case(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)
    response = client.post(f"/cases/{case_id}/export", data={"csrf_token": token(client)})
    assert response.status_code == 404
    assert response.mimetype != "application/zip"


def test_referral_without_consent_to_share_with_that_partner_is_refused(app, signed_in, create_case, partner):
    """S18: the person agreed to nobody (INTAKE's consent_partners is empty): nothing is stored."""
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator)
    response = client.post(
        f"/cases/{case_id}/referrals", data={"csrf_token": token(client), "partner": partner, "purpose": "Asylum lawyer"}
    )
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "The referral was recorded." not in page
    assert (
        "The person has not agreed to share their case with this partner." in page
        or "Referral needs the person's consent to share with a partner." in page
    ), "the refusal does not say why"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Referral)) == 0
        assert db.session.get(Case, case_id).status == "new"


def test_referral_to_a_partner_other_than_the_consented_one_is_refused(app, signed_in, create_case, partner):
    """S18: consent is to named partners; agreeing to one is no consent to another."""
    from casework.models import Partner

    with app.app_context():
        other = Partner(name="Housing Foundation")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator, consent_partners=[partner])
    response = client.post(
        f"/cases/{case_id}/referrals", data={"csrf_token": token(client), "partner": other_id, "purpose": "Housing"}
    )
    assert response.status_code == 400
    assert "The person has not agreed to share their case with this partner." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


def test_referral_with_consent_is_stored_with_purpose_date_and_referrer(app, signed_in, create_case, partner):
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator, consent_partners=[partner])
    response = client.post(
        f"/cases/{case_id}/referrals", data={"csrf_token": token(client), "partner": partner, "purpose": "Asylum lawyer"}
    )
    assert response.status_code == 302
    with app.app_context():
        referral = db.session.scalar(select(Referral))
        assert (referral.case_id, referral.partner_id, referral.purpose) == (case_id, partner, "Asylum lawyer")
        assert referral.referred_by_id == coordinator.id
        assert referral.referred_on == clock.today()
        assert db.session.get(Case, case_id).status == "referred"
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Refugee Law Clinic" in page and "Asylum lawyer" in page and coordinator.email in page


def test_referral_after_consent_is_withdrawn_is_refused(app, signed_in, create_case, partner):
    """Consent that was withdrawn is no consent."""
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator, consent_partners=[partner])
    csrf = token(client)
    assert client.post(f"/cases/{case_id}/consent/withdraw", data={"csrf_token": csrf}).status_code == 302
    response = client.post(
        f"/cases/{case_id}/referrals", data={"csrf_token": csrf, "partner": partner, "purpose": "Asylum lawyer"}
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


def test_person_and_key_exist_for_the_world(app, world):
    """Sanity check of the fixture the matrix relies on: a real, decryptable person and document."""
    with app.app_context():
        case = db.session.get(Case, world.case_id)
        assert case.person.surname_cyrillic == "Соколов"
        assert db.session.get(Document, world.document_id).case_id == world.case_id
        assert db.session.scalar(select(func.count()).select_from(Person)) == 1
