"""The audit trail's URL."""

from flask import Blueprint

from casework.trail import routes

bp = Blueprint("trail", __name__, url_prefix="/audit")

bp.add_url_rule("/", view_func=routes.index, methods=["GET"])
bp.add_url_rule("/flags", view_func=routes.flags, methods=["GET"])
