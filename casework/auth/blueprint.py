"""Casework's own sign-in URL, the language switch; Flask-Security serves the rest."""

from flask import Blueprint

from casework.auth import routes

bp = Blueprint("auth", __name__)

bp.add_url_rule("/language", view_func=routes.set_language, methods=["POST"])
