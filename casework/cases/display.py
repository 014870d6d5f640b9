"""What case templates need to show coded facts and people in the reader's language."""

from datetime import date

from flask_babel import get_locale

from casework import choices
from casework.cases import consent, deadlines
from casework.cases.forms import SECTIONS, EditForm
from casework.cases.operations import CASE_FIELDS, PERSON_FIELDS
from casework.i18n import _l, format_date
from casework.proposals import PROPOSAL_LABELS
from casework.rules import engine
from casework.rules.facts import SOURCES

MATCH_LABELS = {
    "email": _l("e-mail"),
    "phone": _l("phone"),
    "telegram": _l("Telegram"),
    "passport": _l("passport"),
    "name": _l("full name"),
    "surname_birth_year": _l("surname and birth year"),
}


def sealed_text(value) -> str:
    """A free text kept encrypted under a person's key (a note, a referral's purpose, a reviewer's
    reason), or "(erased)" where the person's erasure blanked it."""
    return str(_l("(erased)")) if value is None else value


def person_name(person) -> str:
    """Both scripts when both are known: "Ivanov Sergei / Иванов Сергей"."""
    if person.erased:
        return str(_l("(erased)"))
    names = []
    for surname, given in (
        (person.surname_latin, person.given_names_latin),
        (person.surname_cyrillic, person.given_names_cyrillic),
    ):
        if surname:
            names.append(" ".join(part for part in (surname, given) if part))
    if not names and person.alias:
        return str(_l('"%(alias)s" (alias)', alias=person.alias))
    return " / ".join(names) or str(_l("(no name)"))


def match_label(name: str) -> str:
    return str(MATCH_LABELS.get(name, name))


def rule_explanation(rule_id: str) -> str:
    """The rule's explanation in the reader's language, from the rule file."""
    rule = engine.rules_by_id().get(rule_id)
    return rule.explanation.get(str(get_locale()), rule.explanation["en"]) if rule else rule_id


def fields_needed(needs: str) -> list[str]:
    """The labels of the form fields that would let the engine decide, for "needs information"."""
    names = dict.fromkeys(field for fact in needs.split(",") if fact for field in SOURCES.get(fact, ()))
    return [str(getattr(EditForm, name).args[0]) for name in names]


def consent_question(answer: consent.Answer) -> str:
    """What a consent answer is about, in the reader's language."""
    if answer.scope == consent.SHARE:
        return str(_l("Sharing the case with %(partner)s", partner=answer.partner.name))
    return str(CONSENT_QUESTIONS[answer.scope])


CONSENT_QUESTIONS = {consent.STORE: _l("Storing the person's data"), consent.CONTACT: _l("Being contacted by the foundation")}


def case_vocabulary() -> dict:
    return {
        "choices": choices,
        "label": choices.label,
        "DEADLINE_KINDS": deadlines.KINDS,
        "PROPOSALS": PROPOSAL_LABELS,
        "RULE_IDS": [rule.id for rule in engine.rules()],
        "FORM_SECTIONS": SECTIONS,
    }


#: Never on a partner's print-out: what identifies the person beyond what a lawyer needs to act.
NOT_FOR_PARTNERS = frozenset({"passport_number", "address"})
CONTACT_FIELDS = frozenset({"phone", "email", "telegram", "signal"})


def _shown(field, value) -> str:
    if value in (None, "", [], False):
        return ""  # an unticked box tells a partner nothing
    if isinstance(value, bool):
        return str(_l("yes"))
    if isinstance(value, date):
        return format_date(value)
    options = dict(field.kwargs.get("choices") or ())
    if isinstance(value, list | tuple):
        return ", ".join(str(options.get(item, item)) for item in value)
    return str(options.get(value, value))


def facts_for_partner(case, may_contact: bool) -> list[tuple[str, str]]:
    """The case's known facts as (label, value), as the edit form names them, for a partner's
    print-out: no passport or address, and contact channels only with consent to be contacted."""
    values = {name: getattr(case.person, name) for name in PERSON_FIELDS} | {name: getattr(case, name) for name in CASE_FIELDS}
    values["needs"] = case.need_codes
    hidden = NOT_FOR_PARTNERS | (frozenset() if may_contact else CONTACT_FIELDS) | {"narrative"}
    shown = []
    for name, value in values.items():
        field = getattr(EditForm, name, None)
        if name in hidden or field is None or not (text := _shown(field, value)):
            continue
        shown.append((str(field.args[0]), text))
    return shown


#: Shown elsewhere on the case page: the name in its heading, the story under the facts.
NOT_AMONG_FACTS = frozenset({"surname_latin", "given_names_latin", "surname_cyrillic", "given_names_cyrillic", "narrative"})
#: Fields that keep several codes separated by commas.
CODE_LISTS = frozenset({"languages", "contact_kinds", "needs"})


def section_of(name: str) -> str:
    """The form section a field is asked in, for a link that opens just that section."""
    return next(key for key, _title, fields, _folded in SECTIONS if name in fields)


def field_label(name: str) -> str:
    """A case field's label, as the forms show it."""
    return str(getattr(EditForm, name).args[0])


def case_facts(case) -> list[tuple[str, str]]:
    """Every fact recorded about the case and its person as (label, value in the reader's language),
    in the forms' order; an estimated birth year says that it is one."""
    values = {name: getattr(case.person, name) for name in PERSON_FIELDS} | {"contact_kinds": case.contact_kinds}
    values |= {name: getattr(case, name) for name in CASE_FIELDS} | {"needs": case.needs}
    rows = []
    for name, value in values.items():
        field = getattr(EditForm, name, None)
        if name in NOT_AMONG_FACTS or field is None or value in (None, "", False):
            continue
        choices = field.kwargs.get("choices")
        if callable(choices):
            field = type(field)(field.field_class, *field.args, **{**field.kwargs, "choices": choices()})
        text = _shown(field, value.split(",") if name in CODE_LISTS else value)
        if name == "birth_year_estimated":
            text = str(_l("%(year)s (estimated)", year=value))
        rows.append((field_label(name), text))
    return rows
