"""One transaction per request, committed or rolled back by the request wrapper only: an answer of
400 or more keeps nothing the view wrote, except the refusal's own audit or flag row where a view
says so (`keep_refusal`)."""

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casework.extensions import db
from casework.models import AuditEvent, Case, LedgerEntry, Note, Partner, Person, Release
from casework.permissions import SIGNED_IN, require
from tests.conftest import csrf_from
from tests.test_cases_workflow import SAME_MAN, intake


def counts(app, *models) -> tuple:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in models)


def test_a_view_that_writes_and_then_refuses_keeps_nothing(app, signed_in):
    @app.post("/write-then-refuse")
    @require(SIGNED_IN)
    def write_then_refuse():
        db.session.add(Partner(name="half written"))
        db.session.flush()
        abort(409)

    client, _ = signed_in("coordinator")
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/write-then-refuse", data={"csrf_token": token}).status_code == 409
    assert counts(app, Partner) == (0,)


def test_a_refused_intake_keeps_no_person_case_or_audit_row(app, signed_in, create_case):
    client, coordinator = signed_in("coordinator")
    create_case(by=coordinator)
    before = counts(app, Person, Case, AuditEvent)
    page = client.get("/cases/new").get_data(as_text=True)
    response = intake(client, csrf_from(page), duplicate_choice="not-a-candidate", **SAME_MAN)
    assert response.status_code == 400
    assert counts(app, Person, Case) == before[:2]
    assert counts(app, AuditEvent) == (before[2],), "not even the duplicates_shown row of the refused request"


def test_a_refused_note_keeps_only_the_audit_row_of_the_page_shown(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    before = counts(app, Note, AuditEvent)
    response = client.post(f"/cases/{case_id}/notes", data={"csrf_token": csrf_from(page), "body": ""})
    assert response.status_code == 400
    assert counts(app, Note, AuditEvent) == (before[0], before[1] + 1)
    with app.app_context():
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (last.action, last.detail) == ("case_viewed", "note refused")


def test_a_release_lost_to_a_concurrent_one_is_a_409_that_keeps_nothing(app, signed_in, monkeypatch):
    """The unique rows of the other request won; no route rolls back by itself any more."""
    from casework.stats import ledger
    from casework.stats.operations import request_release

    with app.app_context():
        from casework.stats.operations import closed_periods

        period = closed_periods()[0]
        request_release(period, None)
        db.session.commit()

    def lost(*_args, **_kwargs):
        db.session.add(LedgerEntry(period=period, table_id="total", epsilon=0.1))
        raise IntegrityError("INSERT", {}, Exception("duplicate"))

    monkeypatch.setattr(ledger, "reserve", lost)
    admin, _ = signed_in("admin")
    token = csrf_from(admin.get("/stats/").get_data(as_text=True))
    before = counts(app, LedgerEntry, AuditEvent)
    response = admin.post(f"/stats/releases/{period}/approve", data={"csrf_token": token})
    assert response.status_code == 409
    assert "requested or released already" in response.get_data(as_text=True)
    assert counts(app, LedgerEntry, AuditEvent) == before
    with app.app_context():
        assert db.session.scalar(select(Release.status).where(Release.period == period)) == "requested"


def test_the_commit_that_ends_a_request_leaves_its_objects_loaded_and_the_session_as_it_was(app, signed_in):
    """Nothing reads the request's objects after its commit, so expiring them all would be work for
    nothing; a session that outlives the request (a command's, a test's) still expires on commit."""
    from sqlalchemy import inspect

    seen = {}

    @app.get("/load-then-commit")
    @require(SIGNED_IN)
    def load_then_commit():
        partner = Partner(name="loaded")
        db.session.add(partner)
        db.session.flush()
        seen["partner"] = partner
        return "ok"

    @app.after_request
    def look_after_the_commit(response):
        if "partner" in seen:
            seen["expired"] = set(inspect(seen["partner"]).expired_attributes)
            seen["expires_on_commit"] = db.session().expire_on_commit
        return response

    # after_request handlers run in reverse order of registration: this one runs after the commit.
    app.after_request_funcs[None].insert(0, app.after_request_funcs[None].pop())
    client, _ = signed_in("coordinator")
    assert client.get("/load-then-commit").status_code == 200
    assert counts(app, Partner) == (1,)
    assert seen["expired"] == set()
    assert seen["expires_on_commit"] is True
