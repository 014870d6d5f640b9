"""Account administration's URLs: invitations, roles, deactivation, second-factor resets, partners, baselines,
the API's integration tokens."""

from flask import Blueprint

from casework.admin import routes, token_pages

bp = Blueprint("admin", __name__, url_prefix="/admin")

bp.add_url_rule("/users", view_func=routes.users, methods=["GET"])
bp.add_url_rule("/users/invite", view_func=routes.invite, methods=["GET", "POST"])
bp.add_url_rule("/users/<int:user_id>", view_func=routes.user, methods=["GET"])
bp.add_url_rule("/users/<int:user_id>/role", view_func=routes.change_role, methods=["POST"])
bp.add_url_rule("/users/<int:user_id>/deactivate", view_func=routes.deactivate, methods=["POST"])
bp.add_url_rule("/users/<int:user_id>/reactivate", view_func=routes.reactivate, methods=["POST"])
bp.add_url_rule("/users/<int:user_id>/reset-second-factor", view_func=routes.reset_second_factor, methods=["POST"])
bp.add_url_rule("/users/<int:user_id>/setup-link", view_func=routes.setup_link, methods=["POST"])
bp.add_url_rule("/partners", view_func=routes.partners, methods=["GET", "POST"])
bp.add_url_rule("/partners/<int:partner_id>/toggle", view_func=routes.toggle_partner, methods=["POST"])
bp.add_url_rule("/baselines", view_func=routes.baselines, methods=["GET", "POST"])
bp.add_url_rule("/baselines/reevaluate", view_func=routes.reevaluate, methods=["POST"])
bp.add_url_rule("/jobs", view_func=routes.jobs_page, methods=["GET"])
bp.add_url_rule("/jobs/retention", view_func=routes.start_retention, methods=["POST"])
bp.add_url_rule("/tokens", view_func=token_pages.tokens_page, methods=["GET", "POST"])
bp.add_url_rule("/tokens/<int:token_id>/revoke", view_func=token_pages.revoke_token, methods=["POST"])
