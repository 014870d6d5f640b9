"""The import area's URLs."""

from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/imports")
