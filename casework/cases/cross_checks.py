"""Answers that cannot all be true: checked across fields before a case is saved.

Each field's own validator sees one value; these checks see the whole form (intake or edit), so they
catch a summons posted in the future, a date before the person was born, an appearance date before
the summons was posted, a permit that ends decades away, or a summons recorded for someone who had
no contact with the military. Each problem is reported on the field to correct, with a message that
says what to check; the form is shown again with everything that was typed.
"""

from datetime import date

from dateutil.relativedelta import relativedelta

from casework.choices import SUMMONS_KINDS
from casework.i18n import _l

#: Dates of things that have already happened.
PAST_EVENTS = (
    "present_country_since",
    "deserted_on",
    "summons_posted_on",
    "exit_ban_on",
    "entry_on",
    "degree_completed_on",
    "asylum_applied_on",
    "asylum_decided_on",
)
#: Dates in the person's life: none can come before their birth.
LIFE_EVENTS = PAST_EVENTS + ("summons_appear_on", "deferral_until")
#: A visa or residence permit runs five years at most; ten either way is surely a typing error.
PERMIT_YEARS = 10
SUMMONS_FACTS = ("summons_purpose", "summons_posted_on", "summons_appear_on")
#: Military situations that say the person never served: no desertion date goes with them.
NOT_SERVING = ("never_served", "conscription_age", "unfit")

FUTURE = _l("This date cannot be in the future.")
BEFORE_BIRTH = _l("This date is before the person's birth. Check the year.")


def _born(data: dict) -> date | None:
    """The earliest the person can have been born: the date of birth, or the first day of an estimated year."""
    if data.get("date_of_birth"):
        return data["date_of_birth"]
    year = data.get("birth_year_estimated")
    return date(year, 1, 1) if isinstance(year, int) and 1 <= year <= 9999 else None


def _dates(data: dict, today: date, born: date | None) -> list[tuple[str, str]]:
    problems = [(name, FUTURE) for name in PAST_EVENTS if data.get(name) and data[name] > today]
    if born:
        problems += [
            (name, BEFORE_BIRTH)
            for name in LIFE_EVENTS
            if data.get(name) and data[name] < born and (name, FUTURE) not in problems
        ]
    posted, appear = data.get("summons_posted_on"), data.get("summons_appear_on")
    if posted and appear and appear < posted:
        problems.append(("summons_appear_on", _l("The date to appear cannot be before the summons was posted.")))
    applied, decided = data.get("asylum_applied_on"), data.get("asylum_decided_on")
    if applied and decided and decided < applied:
        problems.append(("asylum_decided_on", _l("The asylum decision cannot come before the application.")))
    expires = data.get("permit_expires_on")
    if expires and not today - relativedelta(years=PERMIT_YEARS) <= expires <= today + relativedelta(years=PERMIT_YEARS):
        problems.append(("permit_expires_on", _l("A visa or permit runs for a few years at most: check the year of this date.")))
    return problems


def _answers(data: dict) -> list[tuple[str, str]]:
    problems = []
    kinds = data.get("contact_kinds") or []
    summons_given = any(data.get(name) for name in SUMMONS_FACTS)
    if summons_given and "none" in kinds:
        problems.append(
            (
                "contact_kinds",
                _l(
                    "\"No contact from the military\" cannot go with a summons's purpose or dates. Tick how the summons came, or clear the summons's details."
                ),
            )
        )
    elif summons_given and kinds and not set(kinds) & set(SUMMONS_KINDS):
        problems.append(("contact_kinds", _l("A summons's purpose or dates are recorded: tick how the summons came.")))
    if data.get("military_situation") == "never_served" and (summons_given or set(kinds) & set(SUMMONS_KINDS)):
        problems.append(
            (
                "military_situation",
                _l(
                    'Someone who received a summons is of conscription age or a reservist, not "never served": check the military situation.'
                ),
            )
        )
    if data.get("deserted_on") and data.get("military_situation") in NOT_SERVING:
        problems.append(("deserted_on", _l("A desertion date needs a military situation in service or deserted.")))
    if data.get("exit_ban_on") and data.get("exit_ban") == "no":
        problems.append(("exit_ban_on", _l('An exit ban date goes with an exit ban: answer "Yes" above or clear the date.')))
    if data.get("deferral_until") and data.get("deferral") == "none":
        problems.append(("deferral_until", _l("An end date goes with a deferral: choose the deferral above or clear the date.")))
    return problems


def problems(data: dict, today: date) -> list[tuple[str, str]]:
    """(field name, message) for every answer that contradicts another or cannot be true on `today`."""
    return identity(data) + _dates(data, today, _born(data)) + _answers(data)


CONTACT_CHANNELS = ("phone", "email", "telegram", "signal")


def identity(data: dict) -> list[tuple[str, str]]:
    """No empty cases: a name (either script) or an alias, and a way to reach the person or the
    explicit, recorded answer that they gave none."""
    problems = []
    if not any(data.get(name) for name in ("surname_latin", "surname_cyrillic", "alias")):
        problems.append(("surname_latin", _l("Enter a surname in Latin or Cyrillic script, or an alias the person goes by.")))
    channels = any(data.get(name) for name in CONTACT_CHANNELS)
    if not channels and not data.get("no_contact_details"):
        problems.append(
            (
                "phone",
                _l(
                    'Enter one way to reach the person (phone, e-mail, Telegram or Signal), or tick "The person gives no contact details".'
                ),
            )
        )
    if channels and data.get("no_contact_details"):
        problems.append(("no_contact_details", _l('Contact details are entered: untick "The person gives no contact details".')))
    return problems
