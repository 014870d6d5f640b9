"""Where server-side sessions live: Redis in production, else the `sessions` table.

Both stores keep Flask-Session's cookie and serialisation, and write a session only when it changed
or its idle deadline has to move by more than `REFRESH_AFTER`; Flask-Session's own stores write on
every request to move the deadline. In the database that was a second commit for every page; in
Redis a SET on every page, where the read that comes first can learn the deadline in the same round
trip.

Flask-Session's own database store also creates its table at start-up, deletes expired rows one read
at a time and logs database errors with their SQL. This one uses the table the migrations create,
never logs, and leaves expired rows to the scheduled `flask sessions purge`.
"""

from datetime import timedelta

import click
from flask import Flask, current_app, g
from flask.cli import AppGroup
from flask_session.base import ServerSideSession, ServerSideSessionInterface
from flask_session.defaults import Defaults
from flask_session.redis import RedisSessionInterface
from sqlalchemy import delete, select

from casework.clock import utcnow
from casework.extensions import db
from casework.models import SessionRecord

#: How stale a stored idle deadline may get before a request moves it. An idle session therefore
#: ends between this long before the configured idle time and that time, never after it.
REFRESH_AFTER = timedelta(minutes=1)


def _settings(app: Flask) -> dict:
    """Flask-Session's settings, read from the app's configuration as Flask-Session reads them."""
    config = app.config
    return {
        "key_prefix": config.get("SESSION_KEY_PREFIX", Defaults.SESSION_KEY_PREFIX),
        "use_signer": False,
        "permanent": config.get("SESSION_PERMANENT", Defaults.SESSION_PERMANENT),
        "sid_length": config.get("SESSION_ID_LENGTH", Defaults.SESSION_ID_LENGTH),
        "serialization_format": config.get("SESSION_SERIALIZATION_FORMAT", Defaults.SESSION_SERIALIZATION_FORMAT),
    }


class WritesWhenStale:
    """A store that writes an unchanged session only when its stored idle deadline, which the read
    put in `g.session_expiry`, has fallen more than `REFRESH_AFTER` behind."""

    def should_set_storage(self, app: Flask, session: ServerSideSession) -> bool:
        if session.modified:
            return True
        stored = g.get("session_expiry")
        return stored is None or utcnow() + app.permanent_session_lifetime - stored > REFRESH_AFTER


class RedisSessionStore(WritesWhenStale, RedisSessionInterface):
    """Flask-Session's Redis sessions; one round trip reads the session and how long it has to live."""

    def __init__(self, app: Flask) -> None:
        super().__init__(app, client=app.config["SESSION_REDIS"], **_settings(app))

    def _retrieve_session_data(self, store_id: str) -> dict | None:
        data, left_ms = self.client.pipeline(transaction=False).get(store_id).pttl(store_id).execute()
        if not data:
            return None
        if left_ms > 0:
            g.session_expiry = utcnow() + timedelta(milliseconds=left_ms)
        return self.serializer.decode(data)


class DatabaseSessionInterface(WritesWhenStale, ServerSideSessionInterface):
    """Flask-Session's server-side sessions in the `sessions` table, written in as few commits as possible."""

    def __init__(self, app: Flask) -> None:
        super().__init__(app, **_settings(app), cleanup_n_requests=None)

    def _register_cleanup_app_command(self) -> None:
        """Expired rows are removed by `flask sessions purge`, registered with Casework's commands."""

    def _retrieve_session_data(self, store_id: str) -> dict | None:
        record = db.session.execute(
            select(SessionRecord.data, SessionRecord.expiry).where(SessionRecord.session_id == store_id)
        ).first()
        if record is None or record.expiry <= utcnow():
            return None
        g.session_expiry = record.expiry
        return self.serializer.decode(record.data)

    def _delete_session(self, store_id: str) -> None:
        """Within the request's transaction: at sign-in the old session goes with the app's commit."""
        db.session.execute(delete(SessionRecord).where(SessionRecord.session_id == store_id))
        g.session_store_wrote = True

    def _upsert_session(self, session_lifetime: timedelta, session: ServerSideSession, store_id: str) -> None:
        data, expiry = self.serializer.encode(session), utcnow() + session_lifetime
        record = db.session.scalar(select(SessionRecord).where(SessionRecord.session_id == store_id))
        if record is None:
            db.session.add(SessionRecord(session_id=store_id, data=data, expiry=expiry))
        else:
            record.data, record.expiry = data, expiry
        g.session_store_wrote = True

    def save_session(self, app: Flask, session: ServerSideSession, response) -> None:
        """Runs after the app's commit, so a write made here needs its own (only when there is one)."""
        super().save_session(app, session, response)
        if g.pop("session_store_wrote", False):
            db.session.commit()


sessions_cli = AppGroup("sessions", help="Server-side sign-in sessions.")


@sessions_cli.command("purge")
def purge() -> None:
    """Delete expired sessions from the database (run it from a timer; Redis expires its own)."""
    if current_app.config["SESSION_TYPE"] == "redis":
        click.echo("Sessions are kept in Redis, which removes expired ones itself.")
        return
    removed = db.session.execute(delete(SessionRecord).where(SessionRecord.expiry <= utcnow())).rowcount
    db.session.commit()
    click.echo(f"{removed} expired sessions removed.")


def init_session_store(app: Flask) -> None:
    store = RedisSessionStore if app.config["SESSION_TYPE"] == "redis" else DatabaseSessionInterface
    app.session_interface = store(app)
    app.cli.add_command(sessions_cli)
