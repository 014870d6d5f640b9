"""The home page's URL."""

from flask import Blueprint

from casework.main import routes

bp = Blueprint("main", __name__)

bp.add_url_rule("/", view_func=routes.home, methods=["GET"])
