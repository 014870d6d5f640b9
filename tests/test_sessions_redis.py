"""The Redis session store, as production runs it: a page writes the session only when it changed or
its idle deadline has to move by more than a minute, as the database store does, so that a page is
one round trip to Redis instead of two.

These tests need the Redis server at CASEWORK_TEST_REDIS_URL (database 14 on 127.0.0.1:6379 unless
set). Without one they are skipped, unless CASEWORK_REQUIRE_REDIS=1 (set by CI), when they fail.
"""

import os
from datetime import timedelta

import pytest
import redis

from casework.auth.session_store import REFRESH_AFTER
from casework.auth.sessions import end_all_sessions
from casework.extensions import db
from casework.models import User
from tests.conftest import csrf_from, sign_in

REDIS_URL = os.environ.get("CASEWORK_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def store():
    client = redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CASEWORK_REQUIRE_REDIS") == "1":
            pytest.fail(f"CASEWORK_REQUIRE_REDIS=1 but no Redis answers at {REDIS_URL}")
        pytest.skip(f"no Redis server at {REDIS_URL}")
    yield client
    client.close()


@pytest.fixture
def settings(settings, store):
    """The suite's settings, with sessions in Redis (sign-in counters stay in memory)."""
    return {**settings, "CASEWORK_REDIS_URL": REDIS_URL, "SESSION_TYPE": "redis"}


def _stored_key(app, client) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None, "no session cookie"
    return f"{app.session_interface.key_prefix}{cookie.value}"


@pytest.fixture
def volunteer_client(app, make_user, store):
    client = app.test_client()
    assert sign_in(client, app, make_user("volunteer")).status_code == 302
    client.get("/")  # the first page after signing in changes the session
    assert store.exists(_stored_key(app, client))
    return client


def _stored_session(app, store, key: str) -> dict:
    return app.session_interface.serializer.decode(store.get(key))


def _live_for(store, key: str, left: timedelta) -> None:
    store.pexpire(key, int(left.total_seconds() * 1000))


def test_an_unchanged_recent_session_is_not_rewritten(app, store, volunteer_client):
    key = _stored_key(app, volunteer_client)
    recent = app.permanent_session_lifetime - timedelta(seconds=20)
    _live_for(store, key, recent)
    response = volunteer_client.get("/")
    assert response.status_code == 200
    assert store.pttl(key) <= recent.total_seconds() * 1000
    assert "Set-Cookie" not in response.headers


def test_the_idle_deadline_moves_when_it_is_more_than_a_minute_behind(app, store, volunteer_client):
    key = _stored_key(app, volunteer_client)
    stale = app.permanent_session_lifetime - REFRESH_AFTER - timedelta(minutes=1)
    _live_for(store, key, stale)
    response = volunteer_client.get("/")
    assert response.status_code == 200
    assert store.pttl(key) > (stale + REFRESH_AFTER).total_seconds() * 1000
    assert app.config["SESSION_COOKIE_NAME"] in response.headers["Set-Cookie"]


def test_a_session_that_expired_in_redis_is_signed_out(app, store, volunteer_client):
    store.delete(_stored_key(app, volunteer_client))
    response = volunteer_client.get("/cases/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_change_to_the_session_is_written_at_once(app, store, volunteer_client):
    """Signing out takes the account out of the stored session on that request, however recent."""
    key = _stored_key(app, volunteer_client)
    assert "_user_id" in _stored_session(app, store, key)
    page = volunteer_client.get("/").get_data(as_text=True)
    volunteer_client.post("/logout", data={"csrf_token": csrf_from(page)})
    assert "_user_id" not in _stored_session(app, store, key)
    assert volunteer_client.get("/cases/").status_code == 302


def test_ending_every_session_of_an_account_reaches_a_session_that_is_not_rewritten(app, store, make_user):
    """A recent session is read, not written, on each page; deactivating the account or resetting
    its second factor (which change its uniquifier) must still end it at its next request."""
    volunteer = make_user("volunteer")
    client = app.test_client()
    assert sign_in(client, app, volunteer).status_code == 302
    assert client.get("/cases/").status_code == 200
    with app.app_context():
        end_all_sessions(db.session.get(User, volunteer.id))
        db.session.commit()
    response = client.get("/cases/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
