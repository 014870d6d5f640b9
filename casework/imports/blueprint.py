"""The import area's URLs: upload, columns, values, dry run and confirmation, progress."""

from flask import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from casework.imports import labels, routes

bp = Blueprint("imports", __name__, url_prefix="/imports")
bp.register_error_handler(RequestEntityTooLarge, routes.upload_too_large)
bp.context_processor(labels.vocabulary)

bp.add_url_rule("/", view_func=routes.index, methods=["GET", "POST"])
bp.add_url_rule("/<run_id>/columns", view_func=routes.columns, methods=["GET", "POST"])
bp.add_url_rule("/<run_id>/values", view_func=routes.values, methods=["GET", "POST"])
bp.add_url_rule("/<run_id>/check", view_func=routes.check, methods=["GET", "POST"])
bp.add_url_rule("/<run_id>/check/start", view_func=routes.start_check, methods=["POST"])
bp.add_url_rule("/<run_id>", view_func=routes.progress, methods=["GET"])
bp.add_url_rule("/<run_id>/resume", view_func=routes.resume, methods=["POST"])
bp.add_url_rule("/<run_id>/abandon", view_func=routes.abandon, methods=["POST"])
