"""What case templates need to show coded facts and people in the reader's language."""

from casework.cases import bp, choices, deadlines
from casework.i18n import _l

MATCH_LABELS = {
    "email": _l("e-mail"),
    "phone": _l("phone"),
    "telegram": _l("Telegram"),
    "passport": _l("passport"),
    "name": _l("full name"),
    "surname_birth_year": _l("surname and birth year"),
}


@bp.app_template_global()
def person_name(person) -> str:
    """Both scripts when both are known: "Ivanov Sergei / Иванов Сергей"."""
    if person.erased:
        return str(_l("(erased)"))
    names = []
    for surname, given in ((person.surname_latin, person.given_names_latin), (person.surname_cyrillic, person.given_names_cyrillic)):
        if surname:
            names.append(" ".join(part for part in (surname, given) if part))
    return " / ".join(names) or str(_l("(no name)"))


@bp.app_template_filter("match_label")
def match_label(name: str) -> str:
    return str(MATCH_LABELS.get(name, name))


@bp.app_context_processor
def case_vocabulary() -> dict:
    return {"choices": choices, "label": choices.label, "DEADLINE_KINDS": deadlines.KINDS}
