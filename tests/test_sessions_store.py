"""The database session store: its table comes from a migration, a request writes to it only when
something changed or the idle deadline has to move by more than a minute, and expired rows are
purged by a scheduled command rather than kept forever."""

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import event, func, select, update

from casework import create_app
from casework.clock import utcnow
from casework.extensions import db
from casework.models.session import SessionRecord
from tests.conftest import sign_in
from tests.conftest import test_settings as settings_for


def _rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SessionRecord))


def _commits_during(app, send) -> int:
    """How many transactions the database commits while `send()` runs."""
    commits = []
    with app.app_context():
        engine = db.engine
    listener = lambda _connection: commits.append(1)  # noqa: E731
    event.listen(engine, "commit", listener)
    try:
        send()
    finally:
        event.remove(engine, "commit", listener)
    return len(commits)


def test_starting_the_app_creates_no_table(database_url):
    """The sessions table belongs to the migrations: the app's database account needs no right to
    create tables, and an app started on an empty database leaves it empty."""
    app = create_app(settings_for(database_url))
    with app.app_context():
        tables = sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
    assert tables == []


def test_a_signed_in_page_commits_once(app, make_user):
    """Within a minute of the last write, a page costs the app's one commit, not a second one for
    the session store."""
    user = make_user("volunteer")
    client = app.test_client()
    sign_in(client, app, user)
    client.get("/")
    assert _commits_during(app, lambda: client.get("/")) == 1


def test_the_idle_deadline_moves_when_it_is_more_than_a_minute_behind(app, make_user):
    user = make_user("volunteer")
    client = app.test_client()
    sign_in(client, app, user)
    stale = utcnow() + app.permanent_session_lifetime - timedelta(minutes=2)
    with app.app_context():
        db.session.execute(update(SessionRecord).values(expiry=stale))
        db.session.commit()
    assert client.get("/").status_code == 200
    with app.app_context():
        expiry = db.session.scalar(select(SessionRecord.expiry))
    assert expiry > stale + timedelta(minutes=1)


def test_an_unchanged_recent_session_is_not_rewritten(app, make_user):
    user = make_user("volunteer")
    client = app.test_client()
    sign_in(client, app, user)
    client.get("/")  # the first page after signing in changes the session
    recent = utcnow() + app.permanent_session_lifetime - timedelta(seconds=20)
    with app.app_context():
        db.session.execute(update(SessionRecord).values(expiry=recent))
        db.session.commit()
    assert client.get("/").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(SessionRecord.expiry)) == recent


def test_expired_sessions_are_purged_and_live_ones_kept(app, make_user):
    """Every anonymous visit to the sign-in page stores a session (it holds the form's CSRF token);
    `sessions purge` removes them once expired, and leaves a signed-in colleague signed in."""
    for _ in range(5):
        assert app.test_client().get("/login").status_code == 200
    user = make_user("volunteer")
    colleague = app.test_client()
    sign_in(colleague, app, user)
    assert _rows(app) == 6
    with app.app_context():
        newest = db.session.scalar(select(func.max(SessionRecord.id)))
        db.session.execute(update(SessionRecord).where(SessionRecord.id != newest).values(expiry=utcnow() - timedelta(minutes=1)))
        db.session.execute(
            update(SessionRecord).where(SessionRecord.id == newest).values(expiry=utcnow() + timedelta(minutes=20))
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["sessions", "purge"])
    assert result.exit_code == 0, result.output
    assert "5" in result.output
    assert _rows(app) == 1
    assert colleague.get("/").status_code == 200
