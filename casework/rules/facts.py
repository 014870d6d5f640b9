"""The facts rules speak of, derived from a case and its person on an evaluation date.

A fact that cannot be known from what was recorded is `UNKNOWN`, never a guess: a rule that needs it
then asks for that information instead of tagging the case.
"""

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from dateutil.relativedelta import relativedelta

from casework.choices import THIRD_COUNTRIES


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
OFFICER_RANKS = {"junior_officer", "major", "colonel", "senior_officer"}
SUMMONED = {"paper", "registered_mail", "electronic", "register"}
SPECIALTIES = {"combat", "medical", "technical", "other"}
RAISED_CONSCRIPTION_AGE_ON = date(2024, 1, 1)


@cache
def reserve_table() -> dict:
    return tomllib.loads((Path(__file__).with_name("reserve_limits.toml")).read_text())


def _in_force(entries: list[dict], on: date) -> dict:
    return max((entry for entry in entries if entry["from"] <= on), key=lambda entry: entry["from"])


def conscription_ages(on: date) -> tuple[int, int]:
    """(first age, age no longer liable) of conscription on `on`: 18-27 before 2024, 18-30 after."""
    entry = _in_force(reserve_table()["conscription"], on)
    return entry["min_age"], entry["under"]


def reserve_limit(sex: str | None, rank: str | None, category: str | None, on: date) -> int | None:
    """The age at which the reserve ends for this person on `on`, or None if it cannot be known.

    Without a rank, a man counts as soldier to warrant officer, the rank of everyone who never
    served; with the category unknown, the highest limit of the rank applies (the category is
    derivable from age, and the highest is the latest date the person can still be called up).
    """
    period = _in_force(reserve_table()["period"], on)
    if sex == "F":
        return period["women_officer"] if rank in OFFICER_RANKS else period["women_other"]
    if sex != "M":
        return None
    limits = period["soldier" if rank in (None, "none", "unknown") else rank]
    if category in ("1", "2", "3") and int(category) <= len(limits):
        return limits[int(category) - 1]
    return max(limits)


def age_on(born: date | None, on: date | None):
    if born is None or on is None:
        return UNKNOWN
    return relativedelta(on, born).years


@dataclass(frozen=True)
class Situation:
    """What the rules read: the case's facts and the person's, as plain values."""

    date_of_birth: date | None = None
    sex: str | None = None
    location: str | None = None
    dutch_status: str | None = None
    military_situation: str | None = None
    rank_group: str | None = None
    reserve_category: str | None = None
    specialty_class: str | None = None
    profession_class: str | None = None
    summons_type: str | None = None
    summons_purpose: str | None = None
    action: str | None = None
    permit_expires_on: date | None = None
    degree_completed_on: date | None = None
    research_permit: str | None = None
    asylum_applied_on: date | None = None

    @classmethod
    def of(cls, case) -> "Situation":
        person = case.person
        names = [name for name in cls.__dataclass_fields__ if name not in ("date_of_birth", "sex")]
        return cls(date_of_birth=person.date_of_birth, sex=person.sex, **{name: getattr(case, name) for name in names})


def _known(value):
    return UNKNOWN if value in (None, "", "unknown") else value


def _location_group(location):
    if location == "netherlands":
        return "netherlands"
    if location == "schengen":
        return "schengen"
    if location == "russia" or location in THIRD_COUNTRIES:
        return "outside_schengen"
    return UNKNOWN


def _within_call_up_age(s: Situation, on: date):
    age = age_on(s.date_of_birth, on)
    if age is UNKNOWN or s.sex not in ("M", "F"):
        return UNKNOWN
    if age < 18:
        return False
    first, under = conscription_ages(on)
    if s.sex == "M" and first <= age < under:
        return True
    return age < reserve_limit(s.sex, s.rank_group, s.reserve_category, on)


def _medical_or_military_specialty(s: Situation):
    if s.profession_class == "medical" or s.specialty_class in SPECIALTIES:
        return True
    if s.military_situation in ("contract", "mobilised", "reservist"):
        return True
    if _known(s.profession_class) is UNKNOWN and _known(s.specialty_class) is UNKNOWN:
        return UNKNOWN
    return False


def _military_contact(s: Situation):
    if s.summons_type in SUMMONED or s.military_situation == "mobilised":
        return True
    return False if s.summons_type == "none" else UNKNOWN


def _refused_or_deserted_as_conscript(s: Situation):
    if s.action == "refused_conscription":
        return True
    if s.action == "deserted":
        if s.military_situation in ("contract", "mobilised"):
            return False
        return True if s.military_situation == "conscription_age" else UNKNOWN
    return UNKNOWN if _known(s.action) is UNKNOWN else False


def _deserted_as_professional_or_mobilised(s: Situation):
    if s.action != "deserted":
        return UNKNOWN if _known(s.action) is UNKNOWN else False
    if s.military_situation in ("contract", "mobilised"):
        return True
    return UNKNOWN if _known(s.military_situation) is UNKNOWN or s.military_situation == "deserted" else False


def _reservist_or_mobilisation_summons(s: Situation):
    """A reservist (mobilised men are reservists who were called up), or summoned for mobilisation."""
    if s.military_situation in ("reservist", "mobilised") or s.summons_purpose == "mobilisation":
        return True
    no_mobilisation_summons = s.summons_type == "none" or _known(s.summons_purpose) is not UNKNOWN
    if _known(s.military_situation) is not UNKNOWN and no_mobilisation_summons:
        return False
    return UNKNOWN


def _days_until_expiry(s: Situation, on: date):
    return UNKNOWN if s.permit_expires_on is None else (s.permit_expires_on - on).days


def _no_orientation_year(s: Situation):
    """An exchange student without a Dutch degree, or a researcher without a residence permit for
    research: neither gets the orientation year after studies or research end (R9)."""
    status = _known(s.dutch_status)
    if status == "exchange_student":
        return s.degree_completed_on is None
    if status == "researcher":
        permit = _known(s.research_permit)
        return UNKNOWN if permit is UNKNOWN else permit == "no"
    return UNKNOWN if status is UNKNOWN else False


def _dutch_degree_within_3_years(s: Situation, on: date):
    if s.degree_completed_on is None:
        return UNKNOWN
    return s.degree_completed_on <= on <= s.degree_completed_on + relativedelta(years=3)


#: Every fact a rule may name, and how it is derived. The rule file is checked against this list.
FACTS = {
    "location_group": lambda s, on: _location_group(s.location),
    "sex": lambda s, on: _known(s.sex),
    "age": lambda s, on: age_on(s.date_of_birth, on),
    "age_at_application": lambda s, on: age_on(s.date_of_birth, s.asylum_applied_on),
    "dutch_status": lambda s, on: _known(s.dutch_status),
    "summons_purpose": lambda s, on: _known(s.summons_purpose),
    "within_call_up_age": _within_call_up_age,
    "military_contact": lambda s, on: _military_contact(s),
    "medical_or_military_specialty": lambda s, on: _medical_or_military_specialty(s),
    "refused_or_deserted_as_conscript": lambda s, on: _refused_or_deserted_as_conscript(s),
    "deserted_as_professional_or_mobilised": lambda s, on: _deserted_as_professional_or_mobilised(s),
    "reservist_or_mobilisation_summons": lambda s, on: _reservist_or_mobilisation_summons(s),
    "days_until_expiry": _days_until_expiry,
    "dutch_degree_within_3_years": _dutch_degree_within_3_years,
    "no_orientation_year": lambda s, on: _no_orientation_year(s),
    "conscription_age_raised": lambda s, on: on >= RAISED_CONSCRIPTION_AGE_ON,
}

#: The recorded fields a user can fill in to make each derived fact known.
SOURCES = {
    "location_group": ("location",),
    "sex": ("sex",),
    "age": ("date_of_birth",),
    "age_at_application": ("date_of_birth", "asylum_applied_on"),
    "dutch_status": ("dutch_status",),
    "summons_purpose": ("summons_purpose",),
    "within_call_up_age": ("date_of_birth", "sex"),
    "military_contact": ("summons_type",),
    "medical_or_military_specialty": ("profession_class", "specialty_class"),
    "refused_or_deserted_as_conscript": ("action", "military_situation"),
    "deserted_as_professional_or_mobilised": ("action", "military_situation"),
    "reservist_or_mobilisation_summons": ("military_situation", "summons_type", "summons_purpose"),
    "days_until_expiry": ("permit_expires_on",),
    "dutch_degree_within_3_years": ("degree_completed_on",),
    "no_orientation_year": ("dutch_status", "degree_completed_on", "research_permit"),
    "conscription_age_raised": (),
}


def derive(situation: Situation, on: date) -> dict:
    return {name: derive_fact(situation, on) for name, derive_fact in FACTS.items()}
