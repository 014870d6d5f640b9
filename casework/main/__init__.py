"""The signed-in home page of each role."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from casework.main import routes  # noqa: E402,F401
