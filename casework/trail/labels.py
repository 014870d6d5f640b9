"""What each audit action means, in the reader's language: the trail stores codes, people read these."""

from casework.i18n import _l

ACTION_LABELS = {
    "api_token_created": _l("Integration token created"),
    "api_token_revoked": _l("Integration token revoked"),
    "baseline_loaded": _l("Policy baseline loaded"),
    "case_assigned": _l("Case assigned"),
    "case_created": _l("Case created"),
    "case_edited": _l("Case edited"),
    "case_list_viewed": _l("Case list viewed"),
    "case_printed": _l("Case printed for a partner"),
    "case_referred": _l("Person referred to a partner"),
    "case_reopened": _l("Case reopened"),
    "case_search": _l("Search"),
    "case_status_changed": _l("Case status changed"),
    "case_viewed": _l("Case viewed"),
    "cases_imported": _l("Cases imported from a spreadsheet"),
    "cases_reevaluated": _l("Open cases re-evaluated"),
    "consent_recorded": _l("Consent recorded"),
    "consent_withdrawn": _l("Consent withdrawn"),
    "deadlines_refreshed": _l("Deadlines refreshed"),
    "deadlines_viewed": _l("Due list viewed"),
    "document_downloaded": _l("Document downloaded"),
    "document_uploaded": _l("Document uploaded"),
    "duplicate_hits_flagged": _l("Flag: intakes matching known people"),
    "duplicate_resolved": _l("Possible duplicate resolved"),
    "duplicates_shown": _l("Possible duplicates shown"),
    "exports_limited": _l("Flag: access exports over the daily limit"),
    "import_abandoned": _l("Spreadsheet import abandoned"),
    "import_checked": _l("Spreadsheet import checked (dry run shown)"),
    "import_expired": _l("Spreadsheet import expired"),
    "intake_checked_for_duplicates": _l("Intake checked for duplicates"),
    "job_finished": _l("Background job finished"),
    "job_queued": _l("Background job started"),
    "keys_retired": _l("Old key version retired"),
    "keys_rotated": _l("Keys rotated"),
    "keys_rotation_started": _l("Key rotation started"),
    "keys_status_shown": _l("Key status shown"),
    "note_added": _l("Note added"),
    "partner_activated": _l("Partner reactivated"),
    "partner_deactivated": _l("Partner deactivated"),
    "partner_added": _l("Partner added"),
    "person_erased": _l("Person's data erased on request"),
    "person_erased_retention": _l("Person's data erased (retention period)"),
    "person_exported": _l("Access export"),
    "read_budget_exceeded": _l("Flag: read budget exceeded"),
    "release_published": _l("Statistics release published"),
    "release_requested": _l("Statistics release requested"),
    "role_changed": _l("Role changed"),
    "second_factor_reset": _l("Second factor reset"),
    "setup_link_issued": _l("Setup link issued"),
    "sign_in": _l("Signed in"),
    "sign_out": _l("Signed out"),
    "tag_decided": _l("Proposal tag confirmed or overridden"),
    "user_deactivated": _l("Account deactivated"),
    "user_invited": _l("Account invited"),
    "user_reactivated": _l("Account reactivated"),
}

#: Details that are words rather than ids or counts (the reason a case page was shown again, say).
DETAIL_LABELS = {
    "edit": _l("edit form"),
    "notes": _l("notes pages"),
    "note refused": _l("note refused"),
    "upload refused": _l("upload refused"),
    "status refused": _l("status change refused"),
    "assign refused": _l("assignment refused"),
    "referral refused": _l("referral refused"),
    "tag refused": _l("tag decision refused"),
    "matched": _l("matched a known person"),
    "different": _l("a different person"),
    "same": _l("the same person"),
}


def action_label(action: str) -> str:
    """The label, or the code itself for an action recorded by a newer version than this one."""
    return str(ACTION_LABELS.get(action, action))


def detail_label(detail: str | None) -> str:
    return str(DETAIL_LABELS.get(detail, detail)) if detail else ""
