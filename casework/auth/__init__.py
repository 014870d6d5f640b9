"""Sign-in, second factor, sessions and language choice; Flask-Security does the heavy lifting."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from casework.auth import routes  # noqa: E402,F401
