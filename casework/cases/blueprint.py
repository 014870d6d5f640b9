"""The case area's URLs: intake, case pages, lists, search, deadlines, duplicates, subject rights."""

from flask import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from casework.cases import consent, display, read_budget, routes

bp = Blueprint("cases", __name__, url_prefix="/cases")

for helper in (
    display.person_name,
    display.sealed_text,
    display.rule_explanation,
    display.fields_needed,
    display.consent_question,
    display.field_label,
    display.case_facts,
    display.section_of,
):
    bp.add_app_template_global(helper)
bp.add_app_template_global(consent.answers, "consent_answers")
bp.add_app_template_filter(display.match_label, "match_label")
bp.app_context_processor(display.case_vocabulary)
# Every page that charges the read budget refuses alike, the home page (casework.main) included.
bp.app_errorhandler(read_budget.BudgetSpent)(routes.refuse_spent_budget)
bp.register_error_handler(RequestEntityTooLarge, routes.upload_too_large)

bp.add_url_rule("/", view_func=routes.index, methods=["GET"])
bp.add_url_rule("/unassigned", view_func=routes.unassigned, methods=["GET"])
bp.add_url_rule("/missing", view_func=routes.missing, methods=["GET"])
bp.add_url_rule("/new-this-week", view_func=routes.new_this_week, methods=["GET"])
bp.add_url_rule("/workload", view_func=routes.workload, methods=["GET"])
bp.add_url_rule("/due", view_func=routes.due, methods=["GET"])
bp.add_url_rule("/new", view_func=routes.new, methods=["GET", "POST"])
bp.add_url_rule("/help", view_func=routes.help_page, methods=["GET"])
bp.add_url_rule("/<case_id>", view_func=routes.view, methods=["GET"])
bp.add_url_rule("/<case_id>/edit", view_func=routes.edit, methods=["GET", "POST"])
bp.add_url_rule("/<case_id>/notes", view_func=routes.notes)
bp.add_url_rule("/<case_id>/notes", view_func=routes.add_note, methods=["POST"])
bp.add_url_rule("/<case_id>/documents", view_func=routes.upload, methods=["POST"])
bp.add_url_rule("/<case_id>/documents/<document_id>", view_func=routes.download, methods=["GET"])
bp.add_url_rule("/<case_id>/status", view_func=routes.change_status, methods=["POST"])
bp.add_url_rule("/<case_id>/assign", view_func=routes.assign, methods=["POST"])
bp.add_url_rule("/<case_id>/referrals", view_func=routes.refer, methods=["POST"])
bp.add_url_rule("/<case_id>/referrals/<referral_id>/print", view_func=routes.print_for_partner, methods=["GET"])
bp.add_url_rule("/<case_id>/tags/<rule_id>", view_func=routes.decide_tag, methods=["POST"])
bp.add_url_rule("/<case_id>/consent", view_func=routes.decide_consent, methods=["POST"])
bp.add_url_rule("/<case_id>/consent/withdraw", view_func=routes.withdraw_consent, methods=["POST"])
bp.add_url_rule("/duplicates", view_func=routes.duplicates, methods=["GET"])
bp.add_url_rule("/<case_id>/duplicate", view_func=routes.duplicate, methods=["GET", "POST"])
bp.add_url_rule("/search", view_func=routes.search, methods=["GET", "POST"])
bp.add_url_rule("/<case_id>/export", view_func=routes.export, methods=["POST"])
bp.add_url_rule("/<case_id>/erase", view_func=routes.erase, methods=["POST"])
