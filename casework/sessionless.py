"""Requests that open no session: the JSON API and the health check.

An integration holds a token, not a sign-in, and a prober holds nothing. If such requests opened
sessions, every API request would add a row to the sessions table (or a key to Redis) and answer
with a cookie that nobody needs, and a browser's sign-in cookie sent along would make the request a
staff member's; a health check sent from a signed-in browser would read the session and load the
account, three statements where one answers the question. So the app's session interface (the
database store or Redis, whichever `casework.auth.session_store` chose) is wrapped: under the paths
an area registers here, each request gets an empty session that is never saved.
"""

from flask import Flask
from flask.sessions import SecureCookieSession, SessionInterface


class UnsavedSession(SecureCookieSession):
    """An empty session for one request, thrown away with it."""


class SessionsApart(SessionInterface):
    """The app's own session interface, except under the registered paths."""

    def __init__(self, inner: SessionInterface) -> None:
        self.inner = inner
        self.paths: list[str] = []

    def __getattr__(self, name: str):
        return getattr(self.inner, name)  # what Casework's sign-in asks of the store, e.g. regenerate

    def opens_no_session(self, path: str) -> bool:
        return any(path == prefix or path.startswith(prefix + "/") for prefix in self.paths)

    def open_session(self, app: Flask, request):
        if self.opens_no_session(request.path):
            return UnsavedSession()
        return self.inner.open_session(app, request)

    def make_null_session(self, app: Flask):
        return self.inner.make_null_session(app)

    def is_null_session(self, obj) -> bool:
        return isinstance(obj, UnsavedSession) or self.inner.is_null_session(obj)

    def save_session(self, app: Flask, session, response) -> None:
        if not isinstance(session, UnsavedSession):
            self.inner.save_session(app, session, response)


def open_no_session_under(app: Flask, path: str) -> None:
    """Requests to `path`, and to any address under it, get an empty session that is never saved."""
    interface = app.session_interface
    if not isinstance(interface, SessionsApart):
        interface = app.session_interface = SessionsApart(interface)
    interface.paths.append(path)
