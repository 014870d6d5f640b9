"""Who may do what: the one table of capabilities per role, and the one query that scopes cases.

Every view declares the capability it needs with `@require(...)`; one `before_request` hook checks
it for every request, and templates ask the same `can()`. A view that declares nothing is refused
to everyone, so a new route cannot be reachable by accident, and the role-by-route test reads this
table to know what each role must and must not reach. Denials answer 404, never 403: whether a
page, a case or an account exists is itself something a planted volunteer must not learn (S14).
"""

from collections.abc import Callable

from flask import Flask, abort, current_app, request
from flask_login import current_user
from sqlalchemy import Select, false, select

from casework.models import Case, User

#: Reachable without signing in (S1): the sign-in steps, the language switch and static files.
PUBLIC = "public"
#: Any signed-in account, whatever its role: the home page, the account's own password.
SIGNED_IN = "signed-in"

#: Held by no role: views a library registers that Casework does not offer.
SWITCHED_OFF = "switched-off"

#: The JSON API's views: reached without a session, with an integration token whose scope the API
#: checks itself (`casework.api.tokens`). No signed-in role holds it, so no cookie reaches the API.
INTEGRATION_TOKEN = "integration-token"

#: What each capability lets its holder do. The roles that hold it are in ROLE_CAPABILITIES.
CAPABILITIES = {
    PUBLIC: "reach the sign-in pages without an account",
    SIGNED_IN: "see the home page and manage one's own sign-in",
    SWITCHED_OFF: "nothing: a library's view that Casework does not offer",
    INTEGRATION_TOKEN: "call the JSON API with an integration token of the right scope",
    "cases.work": "log requests and work the cases one may see (read, edit, notes, documents, status, tags)",
    "cases.see_all": "see every case, not only those assigned to oneself (and read without the hourly budget)",
    "cases.be_assigned": "be given cases to work",
    "cases.triage": "see the unassigned, missing-information, duplicate and workload queues",
    "cases.assign": "assign a case to a volunteer",
    "cases.resolve_duplicates": "decide whether two records are the same person",
    "cases.refer": "refer a person to a partner they consented to share with",
    "cases.export": "export one person's record for a subject access request",
    "cases.erase": "erase a person's data on request",
    "cases.import": "import cases from the foundation's spreadsheets",
    "audit.read": "read the audit trail and its misuse flags",
    "stats.read": "read published statistics releases",
    "stats.request": "request a statistics release for a closed period",
    "stats.approve": "approve (compute and publish) a requested release",
    "accounts.manage": "invite accounts, change roles, deactivate, reset second factors",
    "partners.manage": "keep the list of partner organisations",
    "baselines.manage": "upload policy baselines and start re-evaluation jobs",
    "tokens.manage": "create and revoke the JSON API's integration tokens",
}

_CASEWORK = {SIGNED_IN, "cases.work"}
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    "volunteer": frozenset(_CASEWORK | {"cases.be_assigned"}),
    "coordinator": frozenset(
        _CASEWORK
        | {
            "cases.see_all",
            "cases.triage",
            "cases.assign",
            "cases.resolve_duplicates",
            "cases.refer",
            "cases.export",
            "cases.erase",
            "cases.import",
            "audit.read",
            "stats.read",
            "stats.request",
        }
    ),
    "advocate": frozenset({SIGNED_IN, "stats.read", "stats.request"}),
    "admin": frozenset(
        {
            SIGNED_IN,
            "audit.read",
            "stats.read",
            "stats.request",
            "stats.approve",
            "accounts.manage",
            "partners.manage",
            "baselines.manage",
            "tokens.manage",
        }
    ),
}

#: Views that other libraries register, with what they need. Casework's own views use `@require`.
LIBRARY_ENDPOINTS = {
    "static": PUBLIC,
    "security.login": PUBLIC,
    "security.two_factor_setup": PUBLIC,
    "security.two_factor_token_validation": PUBLIC,
    "security.reset_password": PUBLIC,
    "security.logout": SIGNED_IN,
    "security.change_password": SIGNED_IN,
    "security.verify": SIGNED_IN,
    "security.static": SIGNED_IN,
    "security.two_factor_setup_validate": SIGNED_IN,
    # Each would send e-mail, and Casework sends none: a forgotten password or a lost device is
    # handled by an admin's new setup link or second-factor reset. Refused to everyone.
    "security.forgot_password": SWITCHED_OFF,
    "security.two_factor_rescue": SWITCHED_OFF,
    "security.tf_select": SWITCHED_OFF,
}


def can(user, capability: str) -> bool:
    """Whether `user` (signed in or anonymous) holds `capability`."""
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    if capability == PUBLIC:
        return True
    if capability == INTEGRATION_TOKEN:
        return True  # the API's own before_request checks the token and its scope
    if user is None or not user.is_authenticated or not user.active:
        return False
    return capability in ROLE_CAPABILITIES.get(user.role_name, frozenset())


def roles_with(capability: str) -> list[str]:
    """The roles that hold `capability`, for queries over accounts (whom a case can go to, say)."""
    return sorted(role for role, held in ROLE_CAPABILITIES.items() if capability in held)


def require(capability: str) -> Callable:
    """Mark a view with the capability it needs; `enforce` checks it before the view runs."""
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")

    def mark(view: Callable) -> Callable:
        view.capability = capability
        return view

    return mark


def capability_of(app: Flask, endpoint: str | None) -> str | None:
    """What an endpoint needs, or None when it declares nothing (and so is refused to everyone)."""
    if endpoint is None:
        return None
    if endpoint in LIBRARY_ENDPOINTS:
        return LIBRARY_ENDPOINTS[endpoint]
    return getattr(app.view_functions.get(endpoint), "capability", None)


def enforce() -> None:
    """Before every request: 404 unless the signed-in user holds what the endpoint needs.

    An unknown address has no endpoint and gets Flask's own 404.
    """
    if request.endpoint is None:
        return
    capability = capability_of(current_app, request.endpoint)
    if capability is None or not can(current_user, capability):
        abort(404)


def visible_cases(user: User) -> Select:
    """The only query that scopes cases (S14): every case for those who may see all, the cases
    assigned to them for everyone else who works cases, none for anyone else."""
    query = select(Case)
    if can(user, "cases.see_all"):
        return query
    if can(user, "cases.work"):
        return query.where(Case.assignee_id == user.id)
    return query.where(false())


def init_permissions(app: Flask) -> None:
    app.before_request(enforce)
    app.jinja_env.globals["can"] = lambda capability: can(current_user, capability)
