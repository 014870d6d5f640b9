"""Statistics URLs: releases, their tables, charts and downloads."""

from flask import Blueprint

from casework.stats import routes

bp = Blueprint("stats", __name__, url_prefix="/stats")

bp.add_url_rule("/", view_func=routes.index, methods=["GET"])
bp.add_url_rule("/request", view_func=routes.request_release, methods=["POST"])
bp.add_url_rule("/releases/<period>/approve", view_func=routes.approve, methods=["POST"])
bp.add_url_rule("/releases/<period>", view_func=routes.release, methods=["GET"])
bp.add_url_rule("/releases/<period>.csv", view_func=routes.release_csv, methods=["GET"])
bp.add_url_rule("/releases/<period>.json", view_func=routes.release_json, methods=["GET"])
bp.add_url_rule("/releases/<period>/<table_id>.svg", view_func=routes.chart, methods=["GET"])
