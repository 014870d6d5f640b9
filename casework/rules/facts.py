"""The facts rules speak of, derived from a case and its person on an evaluation date.

A fact that cannot be known from what was recorded is `UNKNOWN`, never a guess: a rule that needs it
then asks for that information instead of tagging the case. An age known only as an estimated birth
year is evaluated for the first and the last day of that year (every age condition holds for a
contiguous run of birth dates, so the two ends stand for the whole year); a rule whose conditions
differ between them is uncertain, not decided.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from casework import clock
from casework.choices import DESERTED_FROM, SUMMONS_KINDS, THIRD_COUNTRIES
from casework.i18n import _
from casework.rules import limits


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN is neither true nor false: compare it with `is UNKNOWN`")


UNKNOWN = _Unknown()
RAISED_CONSCRIPTION_AGE_ON = date(2024, 1, 1)
SHORT_STAY_DAYS = 90
SHORT_STAY_STATUSES = ("schengen_visa", "visa_free")
#: What a military situation says about the service someone deserted from, with action "deserted".
SERVICE_OF = {"serving_conscript": "conscript", "conscription_age": "conscript", "contract": "contract", "mobilised": "mobilised"}
MILITARY_SPECIALTY_SITUATIONS = {"reservist", "contract", "mobilised", "deserted_contract", "deserted_mobilised"}


@dataclass(frozen=True)
class Situation:
    """What the rules read: the case's facts and the person's, as plain values."""

    date_of_birth: date | None = None
    #: A birth year recorded as an estimate when the date of birth is not known ("about 29").
    birth_year_estimated: int | None = None
    sex: str | None = None
    location: str | None = None
    dutch_status: str | None = None
    military_situation: str | None = None
    rank_group: str | None = None
    specialty_class: str | None = None
    profession_class: str | None = None
    #: Kinds of contact from the military, codes separated by commas ("none": no contact at all).
    contact_kinds: str | None = None
    summons_purpose: str | None = None
    summons_posted_on: date | None = None
    action: str | None = None
    entry_on: date | None = None
    days_used: int | None = None
    permit_expires_on: date | None = None
    degree_country: str | None = None
    degree_completed_on: date | None = None
    research_permit: str | None = None
    asylum_applied_on: date | None = None

    @classmethod
    def of(cls, case) -> "Situation":
        person = case.person
        own = ("date_of_birth", "birth_year_estimated", "sex")
        names = [name for name in cls.__dataclass_fields__ if name not in own]
        return cls(**{name: getattr(person, name) for name in own}, **{name: getattr(case, name) for name in names})


def _known(value):
    return UNKNOWN if value in (None, "", "unknown") else value


def age_on(born: date | None, on: date | None):
    return UNKNOWN if born is None or on is None else limits.age_on(born, on)


def conscription_ages(on: date) -> tuple[int, int]:
    """(first age, birthday on which conscription ends) under the law in force on `on`."""
    entry = limits.in_force(limits.table()["conscription"], on)
    return entry["first"], entry["until"]


def _location_group(location):
    if location == "netherlands":
        return "netherlands"
    if location == "schengen":
        return "schengen"
    if location == "russia" or location in THIRD_COUNTRIES:
        return "outside_schengen"
    return UNKNOWN


def _agreed(outcomes: list):
    """One outcome when every possibility gives it, else UNKNOWN."""
    first = outcomes[0]
    return first if all(outcome == first and type(outcome) is type(first) for outcome in outcomes) else UNKNOWN


def _possible_ranks(sex: str, rank: str | None) -> list[str]:
    known = limits.rank_for_limits(rank)
    return [known] if known else list(limits.RANKS)


def within_reserve_age(s: Situation, on: date):
    """Inside the reserve age limit for sex, rank and birth year; decided for an unrecorded rank only
    where every rank group agrees."""
    if s.date_of_birth is None or s.sex not in ("M", "F"):
        return UNKNOWN
    if age_on(s.date_of_birth, on) < 18:
        return False
    return _agreed(
        [on <= limits.reserve_last_day(s.sex, rank, s.date_of_birth, on) for rank in _possible_ranks(s.sex, s.rank_group)]
    )


def _within_call_up_age(s: Situation, on: date):
    """Within conscription age (men) or the reserve age limit."""
    if s.date_of_birth is None or s.sex not in ("M", "F"):
        return UNKNOWN
    if s.sex == "M" and limits.in_conscription_age(s.date_of_birth, on):
        return True
    return within_reserve_age(s, on)


def derived_category(s: Situation, on: date):
    """The reserve category that follows from age, sex and rank: "1", "2", "3", None outside the
    reserve age, or UNKNOWN."""
    if s.date_of_birth is None or s.sex not in ("M", "F"):
        return UNKNOWN
    return _agreed([limits.category_on(s.sex, rank, s.date_of_birth, on) for rank in _possible_ranks(s.sex, s.rank_group)])


def _desertion(s: Situation):
    """The service someone deserted from ("conscript", "contract", "mobilised", "unknown_service"),
    None when he did not desert, UNKNOWN when that is not known."""
    situation, action = _known(s.military_situation), _known(s.action)
    if situation in DESERTED_FROM:
        return DESERTED_FROM[situation]
    if situation == "deserted" or action == "deserted":
        return SERVICE_OF.get(situation, "unknown_service")
    if situation is UNKNOWN and action is UNKNOWN:
        return UNKNOWN
    return None


def _contacts(s: Situation):
    """The set of contact kinds recorded, or UNKNOWN."""
    recorded = _known(s.contact_kinds)
    return UNKNOWN if recorded is UNKNOWN else set(recorded.split(",")) - {"none"}


def _military_contact(s: Situation):
    """Any contact from the military, or a contract soldier or mobilised man who left his unit (R1)."""
    contacts, deserted = _contacts(s), _desertion(s)
    if contacts not in (UNKNOWN, set()) or deserted in ("contract", "mobilised") or s.military_situation == "mobilised":
        return True
    if contacts is UNKNOWN or deserted in (UNKNOWN, "unknown_service"):
        return UNKNOWN
    return False


def _medical_or_military_specialty(s: Situation):
    if s.profession_class == "medical" or s.specialty_class in ("combat", "medical", "technical", "other"):
        return True
    if s.military_situation in MILITARY_SPECIALTY_SITUATIONS:
        return True
    if _known(s.profession_class) is UNKNOWN and _known(s.specialty_class) is UNKNOWN:
        return UNKNOWN
    return False


def _refused_or_deserted_as_conscript(s: Situation):
    deserted = _desertion(s)
    if s.action == "refused_conscription" or deserted == "conscript":
        return True
    if deserted in ("contract", "mobilised"):
        return False
    if deserted in (UNKNOWN, "unknown_service") or _known(s.action) is UNKNOWN:
        return UNKNOWN
    return False


def _deserted_as_professional_or_mobilised(s: Situation):
    deserted = _desertion(s)
    if deserted in ("contract", "mobilised"):
        return True
    return UNKNOWN if deserted in (UNKNOWN, "unknown_service") else False


def _summoned(s: Situation):
    """Whether a summons of any kind was received, or UNKNOWN."""
    contacts = _contacts(s)
    if contacts is UNKNOWN:
        return UNKNOWN
    return bool(contacts & set(SUMMONS_KINDS))


def _reservist_or_mobilisation_summons(s: Situation):
    """A reservist (mobilised men are reservists who were called up), or summoned for mobilisation."""
    if s.military_situation in ("reservist", "mobilised", "deserted_mobilised") or s.summons_purpose == "mobilisation":
        return True
    no_mobilisation_summons = _summoned(s) is False or _known(s.summons_purpose) is not UNKNOWN
    if _known(s.military_situation) is not UNKNOWN and no_mobilisation_summons:
        return False
    return UNKNOWN


def _conscription_summons_from_2024(s: Situation):
    """A conscription summons dated on or after 1 January 2024 (R10)."""
    if _summoned(s) is False or _known(s.summons_purpose) not in (UNKNOWN, "conscription"):
        return False
    if s.summons_posted_on is not None and s.summons_posted_on < RAISED_CONSCRIPTION_AGE_ON:
        return False
    if s.summons_purpose == "conscription" and s.summons_posted_on is not None:
        return True
    return UNKNOWN


def short_stay_last_day(entry_on: date | None, days_used: int | None) -> date | None:
    """The last day the 90/180-day rule allows on a stay that began on `entry_on`, with `days_used`
    days already used in the 180 days before that entry; None without both. (Days that leave the
    window during the stay can make it longer: this is the earliest end, the one to act before.)"""
    if entry_on is None or days_used is None:
        return None
    return entry_on + timedelta(days=SHORT_STAY_DAYS - days_used - 1)


def _stay_ends_within_90_days(s: Situation, on: date):
    """A short stay ends (visa end or 90/180 limit, whichever first) within 90 days, or has ended.

    No stay lasts more than 90 days from its entry, so a known entry date bounds the end even when
    the days used before it are not known.
    """
    horizon = on + timedelta(days=SHORT_STAY_DAYS)
    ends = [s.permit_expires_on, short_stay_last_day(s.entry_on, s.days_used)]
    if s.entry_on is not None:
        ends.append(s.entry_on + timedelta(days=SHORT_STAY_DAYS - 1))
    known = [end for end in ends if end is not None]
    if any(end <= horizon for end in known):
        return True
    visa_end_known = s.permit_expires_on is not None or s.dutch_status == "visa_free"
    stay_limit_known = short_stay_last_day(s.entry_on, s.days_used) is not None
    return False if visa_end_known and stay_limit_known else UNKNOWN


def _stay_has_ended(s: Situation, on: date):
    """The short stay ended before `on` (visa end or 90/180 limit, whichever first)."""
    exact = short_stay_last_day(s.entry_on, s.days_used)
    ends = [s.permit_expires_on, exact, s.entry_on + timedelta(days=SHORT_STAY_DAYS - 1) if s.entry_on else None]
    if any(end is not None and end < on for end in ends):
        return True
    visa_end_known = s.permit_expires_on is not None or s.dutch_status == "visa_free"
    return False if visa_end_known and exact is not None else UNKNOWN


def _dutch_degree_within_3_years(s: Situation, on: date):
    country = _known(s.degree_country)
    if country is not UNKNOWN and country != "NL":
        return False
    if s.degree_completed_on is None:
        return UNKNOWN
    within = s.degree_completed_on <= on <= s.degree_completed_on + relativedelta(years=3)
    return within if country == "NL" or not within else UNKNOWN


def _no_orientation_year(s: Situation):
    """An exchange student without a Dutch degree, or a researcher without a residence permit for
    research: neither gets the orientation year after studies or research end (R9)."""
    status = _known(s.dutch_status)
    if status == "exchange_student":
        country = _known(s.degree_country)
        return UNKNOWN if country is UNKNOWN else country != "NL"
    if status == "researcher":
        permit = _known(s.research_permit)
        return UNKNOWN if permit is UNKNOWN else permit == "no"
    return UNKNOWN if status is UNKNOWN else False


#: Every fact a rule may name, and how it is derived. The rule file is checked against this list.
FACTS = {
    "location_group": lambda s, on: _location_group(s.location),
    "sex": lambda s, on: _known(s.sex),
    "age": lambda s, on: age_on(s.date_of_birth, on),
    "age_at_application": lambda s, on: age_on(s.date_of_birth, s.asylum_applied_on),
    "age_at_summons": lambda s, on: age_on(s.date_of_birth, s.summons_posted_on),
    "dutch_status": lambda s, on: _known(s.dutch_status),
    "within_call_up_age": _within_call_up_age,
    "within_reserve_age": within_reserve_age,
    "military_contact": lambda s, on: _military_contact(s),
    "medical_or_military_specialty": lambda s, on: _medical_or_military_specialty(s),
    "refused_or_deserted_as_conscript": lambda s, on: _refused_or_deserted_as_conscript(s),
    "deserted_as_professional_or_mobilised": lambda s, on: _deserted_as_professional_or_mobilised(s),
    "reservist_or_mobilisation_summons": lambda s, on: _reservist_or_mobilisation_summons(s),
    "conscription_summons_from_2024": lambda s, on: _conscription_summons_from_2024(s),
    "stay_ends_within_90_days": _stay_ends_within_90_days,
    "stay_has_ended": _stay_has_ended,
    "dutch_degree_within_3_years": _dutch_degree_within_3_years,
    "no_orientation_year": lambda s, on: _no_orientation_year(s),
}

#: The recorded fields a user can fill in to make each derived fact known.
SOURCES = {
    "location_group": ("location",),
    "sex": ("sex",),
    "age": ("date_of_birth",),
    "age_at_application": ("date_of_birth", "asylum_applied_on"),
    "age_at_summons": ("date_of_birth", "summons_posted_on"),
    "dutch_status": ("dutch_status",),
    "within_call_up_age": ("date_of_birth", "sex", "rank_group"),
    "within_reserve_age": ("date_of_birth", "sex", "rank_group"),
    "military_contact": ("contact_kinds", "military_situation", "action"),
    "medical_or_military_specialty": ("profession_class", "specialty_class"),
    "refused_or_deserted_as_conscript": ("action", "military_situation"),
    "deserted_as_professional_or_mobilised": ("action", "military_situation"),
    "reservist_or_mobilisation_summons": ("military_situation", "contact_kinds", "summons_purpose"),
    "conscription_summons_from_2024": ("contact_kinds", "summons_purpose", "summons_posted_on"),
    "stay_ends_within_90_days": ("permit_expires_on", "entry_on", "days_used"),
    "stay_has_ended": ("permit_expires_on", "entry_on", "days_used"),
    "dutch_degree_within_3_years": ("degree_country", "degree_completed_on"),
    "no_orientation_year": ("dutch_status", "degree_country", "research_permit"),
}


def possible_situations(situation: Situation) -> list[Situation]:
    """The situation itself, or, for an age known only as an estimated birth year, the situations of
    the first and the last possible date of birth."""
    if situation.date_of_birth is not None or situation.birth_year_estimated is None:
        return [situation]
    year = situation.birth_year_estimated
    return [replace(situation, date_of_birth=date(year, 1, 1)), replace(situation, date_of_birth=date(year, 12, 31))]


def derive_each(situation: Situation, on: date) -> list[dict]:
    """The facts of every possible situation (see `possible_situations`)."""
    return [{name: fact(possible, on) for name, fact in FACTS.items()} for possible in possible_situations(situation)]


def derive(situation: Situation, on: date) -> dict:
    """Every fact, UNKNOWN where the possible situations disagree."""
    each = derive_each(situation, on)
    return {name: _agreed([facts[name] for facts in each]) for name in FACTS}


def category_conflict(case, on: date | None = None) -> str | None:
    """A translated warning when the case's recorded reserve category contradicts the one that follows
    from age, sex and rank (a likely data error), else None. For the case page."""
    if case.reserve_category not in ("1", "2", "3") or case.person.erased:
        return None
    on = on or clock.today()
    situation = Situation.of(case)
    derived = _agreed([derived_category(possible, on) for possible in possible_situations(situation)])
    if derived is UNKNOWN or derived == case.reserve_category:
        return None
    if derived is None:
        return _(
            "Reserve category %(recorded)s is recorded, but by age, sex and rank the person is outside "
            "the reserve age: probably a data error.",
            recorded=case.reserve_category,
        )
    return _(
        "Reserve category %(recorded)s is recorded, but age, sex and rank give category %(derived)s: probably a data error.",
        recorded=case.reserve_category,
        derived=derived,
    )
