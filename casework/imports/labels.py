"""What the import pages call a run's states and a row's outcomes, in the reader's language."""

from casework.i18n import _l, _lp

RUN_STATE_LABELS = {
    "uploaded": _l("being prepared"),
    "importing": _l("importing"),
    # Translators: an import stopped half-way; it can be resumed.
    "interrupted": _l("interrupted"),
    # An import run's state; a background job's "done" is another word in languages with gender.
    "done": _lp("import run state", "done"),
    "abandoned": _l("abandoned"),
    "expired": _l("expired"),
}

OUTCOME_LABELS = {
    "new": _l("Would be created"),
    "duplicate": _l("Would be created, and queued as a possible duplicate"),
    "refused": _l("Would not be imported"),
    "created": _l("Created"),
}


def vocabulary() -> dict:
    return {"RUN_STATE_LABELS": RUN_STATE_LABELS, "OUTCOME_LABELS": OUTCOME_LABELS}
