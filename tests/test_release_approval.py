"""A statistics release needs two people: the one who asks for it and another admin who approves it."""

import html

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.models import Release, User
from casework.stats import operations
from casework.stats.operations import ReleaseRefused
from tests.conftest import csrf_from

PERIOD = operations.closed_periods()[0]


def _status(app) -> str | None:
    with app.app_context():
        return db.session.scalar(select(Release.status).where(Release.period == PERIOD))


def test_the_requester_cannot_approve_their_own_release(app, make_user):
    requester, approver = make_user("admin"), make_user("admin")
    with app.app_context():
        release = operations.request_release(PERIOD, db.session.get(User, requester.id))
        db.session.commit()
        with pytest.raises(ReleaseRefused):
            operations.publish(release, db.session.get(User, requester.id))
        db.session.rollback()
    assert _status(app) == "requested"
    with app.app_context():
        release = db.session.scalar(select(Release).where(Release.period == PERIOD))
        operations.publish(release, db.session.get(User, approver.id))
        db.session.commit()
        assert (release.requested_by_id, release.approved_by_id) == (requester.id, approver.id)
    assert _status(app) == "published"


def test_on_the_web_a_second_admin_approves(app, signed_in):
    first, _first_admin = signed_in("admin")
    second, _second_admin = signed_in("admin")

    def post(client, path, **data):
        token = csrf_from(client.get("/stats/").get_data(as_text=True))
        return client.post(path, data={"csrf_token": token, **data}, follow_redirects=True)

    post(first, "/stats/request", period=PERIOD)
    assert _status(app) == "requested"
    refused = post(first, f"/stats/releases/{PERIOD}/approve")
    assert "another administrator" in html.unescape(refused.get_data(as_text=True))
    assert _status(app) == "requested"
    post(second, f"/stats/releases/{PERIOD}/approve")
    assert _status(app) == "published"
