"""API requests open no session: no cookie is read or set, and no session row is written.

An integration holds a token, not a sign-in. If the API opened sessions, every request would add a
row to the sessions table (or a key to Redis) and answer with a cookie that nobody needs, and a
browser's sign-in cookie sent along would make the request a staff member's. So the app's session
interface (the database store or Redis, whichever `casework.auth.session_store` chose) is wrapped:
under the API's prefix each request gets an empty session that is never saved.
"""

from flask import Flask
from flask.sessions import SecureCookieSession, SessionInterface

from casework.api import is_api_path


class ApiSession(SecureCookieSession):
    """An empty session for one API request, thrown away with it."""


class ApiSessionsApart(SessionInterface):
    """The app's own session interface, except under the API's prefix."""

    def __init__(self, inner: SessionInterface) -> None:
        self.inner = inner

    def __getattr__(self, name: str):
        return getattr(self.inner, name)  # what Casework's sign-in asks of the store, e.g. regenerate

    def open_session(self, app: Flask, request):
        if is_api_path(request.path):
            return ApiSession()
        return self.inner.open_session(app, request)

    def make_null_session(self, app: Flask):
        return self.inner.make_null_session(app)

    def is_null_session(self, obj) -> bool:
        return isinstance(obj, ApiSession) or self.inner.is_null_session(obj)

    def save_session(self, app: Flask, session, response) -> None:
        if not isinstance(session, ApiSession):
            self.inner.save_session(app, session, response)


def keep_sessions_apart(app: Flask) -> None:
    app.session_interface = ApiSessionsApart(app.session_interface)
