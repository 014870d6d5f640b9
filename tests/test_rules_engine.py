"""The proposal rules without a database (domain.md, "Facts behind the rules" and the rule table
R1-R10): `casework.rules.facts` and `casework.rules.engine.evaluate` on hand-built Situations, at
every age, date and reserve-limit boundary; the moratorium dates of the shipped baseline; locations
and Dutch statuses; missing facts asked for instead of guessed; properties over random situations;
and the validation of rule and baseline files."""

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from casework import choices
from casework.config import LOCALES
from casework.rules import engine, facts
from casework.rules.engine import RuleFileError
from casework.rules.facts import UNKNOWN, Situation

BEFORE_2024 = date(2023, 12, 31)
FROM_2024 = date(2024, 1, 1)
LATER = date(2025, 6, 15)
RULES_TOML = (engine.HERE / "rules.toml").read_text()
BASELINE_TOML = (engine.HERE / "baselines" / "2022-06-29.toml").read_text()
RULE_IDS = engine.rules_by_id()
OUTSIDE_SCHENGEN = ["russia", *sorted(choices.THIRD_COUNTRIES)]
NETHERLANDS_RULES = ("R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10")


# Helpers -------------------------------------------------------------------------------------


def born(on: date, age: int) -> date:
    """A date of birth on which the person turns exactly `age` on `on` (the birthday itself)."""
    return on - relativedelta(years=age)


def born_tomorrow(on: date, age: int) -> date:
    """A date of birth on which the person turns `age` the day after `on`: still `age - 1` on `on`."""
    return born(on, age) + timedelta(days=1)


def found(situation: Situation, on: date) -> dict:
    """{rule id: Finding} of evaluate."""
    findings = engine.evaluate(situation, on)
    result = {finding.rule.id: finding for finding in findings}
    assert len(result) == len(findings), "a rule reported twice"
    return result


def applies(situation: Situation, on: date, rule_id: str) -> bool:
    finding = found(situation, on).get(rule_id)
    return finding is not None and finding.applies


def assert_applies(situation: Situation, on: date, rule_id: str) -> None:
    finding = found(situation, on).get(rule_id)
    assert finding is not None, f"{rule_id} is absent for {situation} on {on}"
    assert finding.applies and finding.needs == [], f"{rule_id} needs {finding.needs} for {situation} on {on}"


def assert_absent(situation: Situation, on: date, rule_id: str) -> None:
    finding = found(situation, on).get(rule_id)
    assert finding is None, (
        f"{rule_id} should be left out, got applies={finding.applies} needs={finding.needs} for {situation} on {on}"
    )


def assert_needs(situation: Situation, on: date, rule_id: str, needs: list[str]) -> None:
    finding = found(situation, on).get(rule_id)
    assert finding is not None, f"{rule_id} is absent, expected it to need {needs}"
    assert not finding.applies, f"{rule_id} applies although {needs} are unknown"
    assert sorted(finding.needs) == sorted(needs)


def summoned_man(on: date, age: int, *, rank=None, category=None, location="russia", birthday="today") -> Situation:
    """R1's person: a man outside Schengen with a paper summons, of `age` on `on`."""
    dob = born(on, age) if birthday == "today" else born_tomorrow(on, age)
    return Situation(
        date_of_birth=dob, sex="M", location=location, summons_type="paper", rank_group=rank, reserve_category=category
    )


def specialist_woman(on: date, age: int, *, rank=None, birthday="today", **facts_) -> Situation:
    """R2's person: a woman outside Schengen with a medical profession, of `age` on `on`."""
    dob = born(on, age) if birthday == "today" else born_tomorrow(on, age)
    values = {"profession_class": "medical", "location": "russia", **facts_}
    return Situation(date_of_birth=dob, sex="F", rank_group=rank, **values)


# Ages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("age", [17, 18, 27, 28, 30, 31, 35, 36, 45, 50, 55, 70])
@pytest.mark.parametrize("on", [BEFORE_2024, FROM_2024, LATER, date(2028, 2, 28)])
def test_age_is_counted_in_whole_years_turning_on_the_birthday(on, age):
    """age_on: exactly `age` on the birthday, one year less the day before it."""
    assert facts.age_on(born(on, age), on) == age
    assert facts.age_on(born_tomorrow(on, age), on) == age - 1


def test_age_is_unknown_without_both_dates():
    """No date of birth (or no evaluation/application date) gives UNKNOWN, never 0 or a guess."""
    assert facts.age_on(None, LATER) is UNKNOWN
    assert facts.age_on(date(1990, 1, 1), None) is UNKNOWN


@pytest.mark.parametrize(
    "on, expected",
    [
        (date(1990, 1, 1), (18, 28)),
        (date(2022, 6, 29), (18, 28)),
        (BEFORE_2024, (18, 28)),
        (FROM_2024, (18, 31)),
        (LATER, (18, 31)),
        (date(2030, 12, 31), (18, 31)),
    ],
)
def test_conscription_age_is_18_to_27_before_2024_and_18_to_30_from_2024(on, expected):
    """conscription_ages: (first age, first age no longer liable), switching on 2024-01-01."""
    assert facts.conscription_ages(on) == expected


@pytest.mark.parametrize(
    "on, age, birthday, within",
    [
        (BEFORE_2024, 17, "today", False),
        (BEFORE_2024, 18, "tomorrow", False),  # 17, turns 18 tomorrow
        (BEFORE_2024, 18, "today", True),
        (BEFORE_2024, 27, "today", True),
        (BEFORE_2024, 28, "tomorrow", True),  # still 27
        (BEFORE_2024, 28, "today", False),
        (BEFORE_2024, 30, "today", False),
        (FROM_2024, 18, "today", True),
        (FROM_2024, 28, "today", True),
        (FROM_2024, 30, "today", True),
        (FROM_2024, 31, "tomorrow", True),  # still 30
        (FROM_2024, 31, "today", False),
    ],
)
def test_within_call_up_age_by_conscription_alone(monkeypatch, on, age, birthday, within):
    """With the reserve limit out of the way (forced to 0), a man is of call-up age exactly while of
    conscription age: 18-27 until 2023-12-31, 18-30 from 2024-01-01."""
    monkeypatch.setattr(facts, "reserve_limit", lambda *args: 0)
    dob = born(on, age) if birthday == "today" else born_tomorrow(on, age)
    derived = facts.derive(Situation(date_of_birth=dob, sex="M"), on)
    assert derived["within_call_up_age"] is within


@pytest.mark.parametrize(
    "on, age, birthday, holds",
    [
        (BEFORE_2024, 28, "today", False),  # the age was not raised yet
        (BEFORE_2024, 30, "today", False),
        (FROM_2024, 27, "today", False),
        (FROM_2024, 28, "tomorrow", False),  # still 27
        (FROM_2024, 28, "today", True),
        (FROM_2024, 30, "today", True),
        (FROM_2024, 31, "tomorrow", True),  # still 30
        (FROM_2024, 31, "today", False),
        (LATER, 29, "today", True),
    ],
)
def test_r10_aged_28_to_30_once_conscription_age_was_raised(on, age, birthday, holds):
    """R10: a man of 28-30 summoned for conscription, in NL with asylum pending, only on or after
    2024-01-01, and only within 28..30 inclusive."""
    dob = born(on, age) if birthday == "today" else born_tomorrow(on, age)
    situation = Situation(
        date_of_birth=dob, sex="M", location="netherlands", dutch_status="asylum_pending", summons_purpose="conscription"
    )
    (assert_applies if holds else assert_absent)(situation, on, "R10")


def test_r10_needs_the_summons_purpose_when_not_recorded():
    """R10 asks for the summons purpose when it is not recorded, and a mobilisation summons leaves it out."""
    situation = Situation(date_of_birth=born(LATER, 29), sex="M", location="netherlands", dutch_status="asylum_pending")
    assert_needs(situation, LATER, "R10", ["summons_purpose"])
    assert_absent(replace(situation, summons_purpose="mobilisation"), LATER, "R10")


# Reserve limits ------------------------------------------------------------------------------

#: (rank group, category) -> (limit before 2024, limit from 2024); "under N".
RESERVE_LIMITS = {
    ("soldier", "1"): (35, 40),
    ("soldier", "2"): (45, 50),
    ("soldier", "3"): (50, 55),
    ("soldier", "unknown"): (50, 55),
    ("soldier", None): (50, 55),
    ("junior_officer", "1"): (50, 50),
    ("junior_officer", "2"): (55, 55),
    ("junior_officer", "3"): (60, 60),
    ("junior_officer", "unknown"): (60, 60),
    ("major", "1"): (55, 55),
    ("major", "2"): (60, 60),
    ("major", "3"): (65, 65),
    ("major", "unknown"): (65, 65),
    ("colonel", "1"): (60, 60),
    ("colonel", "2"): (65, 65),
    ("colonel", "unknown"): (65, 65),
    ("senior_officer", "1"): (65, 65),
    ("senior_officer", "2"): (70, 70),
    ("senior_officer", "unknown"): (70, 70),
}


@pytest.mark.parametrize("rank, category", list(RESERVE_LIMITS))
def test_reserve_limit_for_men_by_rank_and_category_before_and_from_2024(rank, category):
    """reserve_limit: soldiers 35/45/50 before 2024 and 40/50/55 from 2024-01-01; officers unchanged;
    an unknown category gives the rank's highest limit."""
    before, after = RESERVE_LIMITS[(rank, category)]
    assert facts.reserve_limit("M", rank, category, BEFORE_2024) == before
    assert facts.reserve_limit("M", rank, category, FROM_2024) == after
    assert facts.reserve_limit("M", rank, category, LATER) == after


@pytest.mark.parametrize("rank", ["colonel", "senior_officer"])
def test_category_3_that_does_not_exist_for_colonels_falls_back_to_the_highest_limit(rank):
    """Colonels and senior officers have no category 3 ("-" in the law): the highest of the rank."""
    highest = max(limit for (group, _c), (limit, _a) in RESERVE_LIMITS.items() if group == rank)
    assert facts.reserve_limit("M", rank, "3", FROM_2024) == highest


@pytest.mark.parametrize("rank", [None, "none", "unknown"])
def test_a_man_without_a_rank_counts_as_soldier(rank):
    """Everyone who never served is in the soldier-to-warrant-officer group."""
    assert facts.reserve_limit("M", rank, "1", BEFORE_2024) == 35
    assert facts.reserve_limit("M", rank, "1", FROM_2024) == 40


@pytest.mark.parametrize("sex", [None, "X", "unknown"])
def test_reserve_limit_is_unknown_without_sex_m_or_f(sex):
    """Without sex M or F there is no reserve limit to apply: None, never a man's or a woman's guess."""
    assert facts.reserve_limit(sex, "soldier", "1", FROM_2024) is None


@pytest.mark.parametrize("rank, category", list(RESERVE_LIMITS))
@pytest.mark.parametrize("on", [BEFORE_2024, FROM_2024])
def test_r1_ends_at_the_reserve_limit_for_rank_and_category(on, rank, category):
    """R1 (man outside Schengen, summoned): applies at limit-1, on the day before the limit's
    birthday, and stops on that birthday."""
    limit = RESERVE_LIMITS[(rank, category)][0 if on < FROM_2024 else 1]
    assert_applies(summoned_man(on, limit - 1, rank=rank, category=category), on, "R1")
    assert_applies(summoned_man(on, limit, rank=rank, category=category, birthday="tomorrow"), on, "R1")
    assert_absent(summoned_man(on, limit, rank=rank, category=category), on, "R1")


def test_soldier_category_1_aged_37_is_called_up_only_from_2024():
    """The July 2023 amendment: a category-1 soldier of 37 was out of the reserve on 2023-12-31
    (under 35) and is back in it on 2024-01-01 (under 40)."""
    dob = date(1986, 6, 1)
    situation = Situation(
        date_of_birth=dob, sex="M", location="georgia", summons_type="electronic", rank_group="soldier", reserve_category="1"
    )
    assert_absent(situation, BEFORE_2024, "R1")
    assert_applies(situation, FROM_2024, "R1")


@pytest.mark.parametrize("on", [BEFORE_2024, FROM_2024])
def test_r1_starts_at_18(on):
    """R1 starts on the 18th birthday: not at 17, nor the day before turning 18."""
    assert_absent(summoned_man(on, 17), on, "R1")
    assert_absent(summoned_man(on, 18, birthday="tomorrow"), on, "R1")
    assert_applies(summoned_man(on, 18), on, "R1")


@pytest.mark.parametrize("on", [BEFORE_2024, FROM_2024])
@pytest.mark.parametrize("age", [28, 29, 30, 31])
def test_r1_keeps_men_of_28_to_31_through_the_reserve_even_before_2024(on, age):
    """Past conscription age a soldier is still in the reserve (35 or 40 for category 1)."""
    assert_applies(summoned_man(on, age, rank="soldier", category="1"), on, "R1")


def test_r1_needs_a_summons_or_contact_and_a_man():
    """R1 needs military contact (any summons, or being mobilised; "none" leaves it out, no record asks) and a man."""
    base = summoned_man(LATER, 25)
    assert_absent(replace(base, summons_type="none"), LATER, "R1")
    assert_needs(replace(base, summons_type=None), LATER, "R1", ["military_contact"])
    assert_needs(replace(base, summons_type="unknown"), LATER, "R1", ["military_contact"])
    assert_applies(replace(base, summons_type="none", military_situation="mobilised"), LATER, "R1")
    for summons in ("paper", "registered_mail", "electronic", "register"):
        assert_applies(replace(base, summons_type=summons), LATER, "R1")
    assert_absent(replace(base, sex="F"), LATER, "R1")
    assert_absent(replace(base, sex="X"), LATER, "R1")


# Women (R2) ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rank, limit",
    [(None, 45), ("none", 45), ("soldier", 45), ("junior_officer", 50), ("major", 50), ("colonel", 50), ("senior_officer", 50)],
)
@pytest.mark.parametrize("category", [None, "1", "2", "3", "unknown"])
@pytest.mark.parametrize("on", [BEFORE_2024, FROM_2024])
def test_women_are_in_the_reserve_to_45_or_50_for_officers(on, category, rank, limit):
    """reserve_limit for women: officers 50, everyone else 45, whatever the category or the year."""
    assert facts.reserve_limit("F", rank, category, on) == limit


@pytest.mark.parametrize("rank, limit", [("soldier", 45), (None, 45), ("junior_officer", 50), ("senior_officer", 50)])
@pytest.mark.parametrize("on", [BEFORE_2024, FROM_2024])
def test_r2_woman_with_a_specialty_under_45_or_50(on, rank, limit):
    """R2 applies below the limit (and the day before the limit's birthday), not from it; not under 18."""
    assert_applies(specialist_woman(on, limit - 1, rank=rank), on, "R2")
    assert_applies(specialist_woman(on, limit, rank=rank, birthday="tomorrow"), on, "R2")
    assert_absent(specialist_woman(on, limit, rank=rank), on, "R2")
    assert_absent(specialist_woman(on, 17, rank=rank), on, "R2")
    assert_applies(specialist_woman(on, 18, rank=rank), on, "R2")


@pytest.mark.parametrize(
    "specialty",
    [
        {"profession_class": "medical"},
        {"specialty_class": "combat"},
        {"specialty_class": "medical"},
        {"specialty_class": "technical"},
        {"specialty_class": "other"},
        {"military_situation": "reservist"},
        {"military_situation": "contract"},
        {"military_situation": "mobilised"},
    ],
)
def test_r2_counts_a_medical_profession_or_any_military_specialty(specialty):
    """R2's specialty: a medical profession, any kind of military specialty, or a reservist, contract or mobilised woman."""
    situation = specialist_woman(LATER, 30, **{"profession_class": None, **specialty})
    assert_applies(situation, LATER, "R2")


def test_r2_is_left_out_for_a_woman_without_a_medical_or_military_specialty():
    """A woman in IT who never served: no specialty, no R2; and never R1 (a man's rule)."""
    situation = specialist_woman(LATER, 30, profession_class="it", military_situation="never_served", summons_type="paper")
    assert_absent(situation, LATER, "R2")
    assert_absent(situation, LATER, "R1")


def test_r2_needs_the_specialty_when_nothing_about_it_is_recorded():
    """With neither profession nor specialty recorded, R2 asks for them instead of guessing."""
    situation = specialist_woman(LATER, 30, profession_class=None)
    assert_needs(situation, LATER, "R2", ["medical_or_military_specialty"])


def test_r2_is_never_for_men_and_r1_never_for_women():
    """The same facts with the sex changed move the case between R1 (men) and R2 (women)."""
    woman = specialist_woman(LATER, 25, summons_type="paper")
    man = replace(woman, sex="M")
    assert_absent(woman, LATER, "R1")
    assert_applies(woman, LATER, "R2")
    assert_absent(man, LATER, "R2")
    assert_applies(man, LATER, "R1")


# The moratorium through the baseline ---------------------------------------------------------


@pytest.mark.parametrize(
    "day, covered, since",
    [
        (date(2022, 6, 28), "no", None),
        (date(2022, 6, 29), "yes", date(2022, 6, 29)),
        (date(2023, 1, 15), "yes", date(2022, 6, 29)),
        (date(2023, 6, 29), "yes", date(2022, 6, 29)),
        (date(2023, 6, 30), "unknown", date(2023, 6, 30)),
        (date(2026, 1, 1), "unknown", date(2023, 6, 30)),
    ],
)
def test_shipped_baseline_covers_r3_during_the_moratorium_only(day, covered, since):
    """The moratorium (announced 2022-06-29, extended to 2023-06-29 inclusive), then "unknown"."""
    assert engine.built_in_baseline().covers("R3", day) == (covered, since)


@pytest.mark.parametrize(
    "rule_id, day, expected",
    [
        ("R1", date(2022, 6, 29), ("no", date(2022, 1, 1))),
        ("R4", date(2026, 1, 1), ("no", date(2022, 1, 1))),
        ("R7", date(2026, 1, 1), ("partly", date(2022, 1, 1))),
        ("R8", date(2026, 1, 1), ("yes", date(2022, 1, 1))),
        ("R10", BEFORE_2024, ("no", None)),
        ("R10", FROM_2024, ("no", FROM_2024)),
        ("R11", FROM_2024, ("no", None)),
    ],
)
def test_shipped_baseline_for_other_rules(rule_id, day, expected):
    """The rule table's last column; outside every range (or for no such rule) "no" with no date."""
    assert engine.built_in_baseline().covers(rule_id, day) == expected


def test_shipped_baseline_header():
    """The shipped baseline is version 2022-06-29, in force from that day, and covers every rule."""
    baseline = engine.built_in_baseline()
    assert baseline.version == "2022-06-29" and baseline.effective_from == date(2022, 6, 29)
    assert set(baseline.coverage) == set(RULE_IDS)


# Locations and Dutch statuses ----------------------------------------------------------------


@pytest.mark.parametrize(
    "location, group",
    [(code, "outside_schengen") for code in OUTSIDE_SCHENGEN]
    + [("schengen", "schengen"), ("netherlands", "netherlands"), ("unknown", UNKNOWN), (None, UNKNOWN), ("", UNKNOWN)],
)
def test_location_groups(location, group):
    """Russia and every third country are outside Schengen; "unknown" and nothing are UNKNOWN."""
    derived = facts.derive(Situation(location=location), LATER)["location_group"]
    assert derived is UNKNOWN if group is UNKNOWN else derived == group


def test_every_location_choice_has_a_group():
    """No location the intake form offers falls through to UNKNOWN by accident."""
    for code, _label in choices.LOCATIONS:
        group = facts.derive(Situation(location=code), LATER)["location_group"]
        assert (group is UNKNOWN) == (code == "unknown"), code


@pytest.mark.parametrize("location", OUTSIDE_SCHENGEN)
def test_r1_applies_in_russia_and_every_third_country(location):
    """R1 and R2 apply in Russia and in every third country the intake form offers."""
    assert_applies(summoned_man(LATER, 25, location=location), LATER, "R1")
    assert_applies(specialist_woman(LATER, 25, location=location), LATER, "R2")


@pytest.mark.parametrize("location", ["schengen", "netherlands"])
def test_r1_and_r2_are_left_out_inside_schengen(location):
    """R1 and R2 (humanitarian visa) are left out in another Schengen state and in the Netherlands."""
    assert_absent(summoned_man(LATER, 25, location=location), LATER, "R1")
    assert_absent(specialist_woman(LATER, 25, location=location), LATER, "R2")


def test_r1_needs_the_location_when_unknown():
    """An unknown or unrecorded location is asked for, not assumed."""
    assert_needs(summoned_man(LATER, 25, location="unknown"), LATER, "R1", ["location_group"])
    assert_needs(summoned_man(LATER, 25, location=None), LATER, "R1", ["location_group"])


def r3(on=LATER):
    """Refused conscription, 25 when applying for asylum, in NL with asylum pending."""
    applied = on - timedelta(days=200)
    return Situation(date_of_birth=born(applied, 25), sex="M", location="netherlands", dutch_status="asylum_pending",
                     asylum_applied_on=applied, action="refused_conscription", military_situation="conscription_age")  # fmt: skip


def r4(on=LATER):
    return Situation(
        date_of_birth=born(on, 31),
        sex="M",
        location="netherlands",
        dutch_status="asylum_pending",
        military_situation="reservist",
        action="evaded_mobilisation",
    )


def r5(on=LATER):
    return Situation(date_of_birth=born(on, 40), sex="M", location="netherlands", dutch_status="asylum_pending",
                     military_situation="reservist", rank_group="soldier", reserve_category="2", action="evaded_mobilisation")  # fmt: skip


def r6(on=LATER):
    return Situation(
        date_of_birth=born(on, 33),
        sex="M",
        location="netherlands",
        dutch_status="none",
        military_situation="contract",
        action="deserted",
    )


def r7(on=LATER):
    return Situation(
        date_of_birth=born(on, 25),
        sex="M",
        location="netherlands",
        dutch_status="schengen_visa",
        permit_expires_on=on + timedelta(days=30),
    )


def r8(on=LATER):
    return Situation(
        date_of_birth=born(on, 25),
        sex="M",
        location="netherlands",
        dutch_status="student",
        degree_completed_on=on - relativedelta(years=1),
    )


def r9(on=LATER):
    """An exchange student without a Dutch degree; were he a researcher, he has no permit for research."""
    return Situation(
        date_of_birth=born(on, 22), sex="M", location="netherlands", dutch_status="exchange_student", research_permit="no"
    )


def r10(on=LATER):
    return Situation(
        date_of_birth=born(on, 29), sex="M", location="netherlands", dutch_status="asylum_pending", summons_purpose="conscription"
    )


SITUATIONS = {"R3": (r3, ("asylum_pending",)), "R4": (r4, ("asylum_pending",)), "R5": (r5, ("asylum_pending",)), "R6": (r6, None),
              "R7": (r7, ("schengen_visa",)), "R8": (r8, ("student",)), "R9": (r9, ("exchange_student", "researcher")), "R10": (r10, ("asylum_pending",))}  # fmt: skip
DUTCH_STATUSES = [code for code, _label in choices.DUTCH_STATUSES if code != "unknown"]


@pytest.mark.parametrize("rule_id", NETHERLANDS_RULES)
def test_each_netherlands_rule_applies_to_its_typical_person(rule_id):
    """Each of R3-R10 applies to the person its row of the rule table describes."""
    build, _status = SITUATIONS[rule_id]
    assert_applies(build(), LATER, rule_id)


@pytest.mark.parametrize("location", [*OUTSIDE_SCHENGEN, "schengen"])
@pytest.mark.parametrize("rule_id", NETHERLANDS_RULES)
def test_netherlands_rules_are_left_out_anywhere_else(rule_id, location):
    """R3-R10 are left out for the same person in Russia, a third country or another Schengen state."""
    build, _status = SITUATIONS[rule_id]
    assert_absent(replace(build(), location=location), LATER, rule_id)


@pytest.mark.parametrize("rule_id", NETHERLANDS_RULES)
def test_netherlands_rules_need_the_location_when_unknown(rule_id):
    """R3-R10 ask for the location, and only the location, when it is unknown."""
    build, _status = SITUATIONS[rule_id]
    assert_needs(replace(build(), location="unknown"), LATER, rule_id, ["location_group"])


@pytest.mark.parametrize("status", DUTCH_STATUSES)
@pytest.mark.parametrize("rule_id", NETHERLANDS_RULES)
def test_each_dutch_status_decides_the_rules_that_name_one(rule_id, status):
    """R3/R4/R5/R10 need asylum pending, R7 a short-stay visa, R8 student, R9 exchange student or
    researcher; every other status leaves the rule out. R6 does not depend on the status."""
    build, wanted = SITUATIONS[rule_id]
    situation = replace(build(), dutch_status=status)
    if wanted is None or status in wanted:
        assert_applies(situation, LATER, rule_id)
    else:
        assert_absent(situation, LATER, rule_id)


@pytest.mark.parametrize("rule_id", [rule for rule, (_b, wanted) in SITUATIONS.items() if wanted])
@pytest.mark.parametrize("status", [None, "unknown"])
def test_netherlands_rules_need_the_dutch_status_when_unknown(rule_id, status):
    """Rules that name a Dutch status ask for it when it is unrecorded or unknown, and for nothing else
    (R9 also for whether he has an orientation year, which follows from the status)."""
    build, _wanted = SITUATIONS[rule_id]
    expected = ["dutch_status", "no_orientation_year"] if rule_id == "R9" else ["dutch_status"]
    assert_needs(replace(build(), dutch_status=status), LATER, rule_id, expected)


@pytest.mark.parametrize("applied_age, holds", [(17, False), (18, True), (27, True), (28, False)])
def test_r3_age_at_application_18_to_27(applied_age, holds):
    """R3 counts the age on the asylum application date, not today."""
    applied = date(2023, 3, 1)
    situation = replace(r3(), asylum_applied_on=applied, date_of_birth=born(applied, applied_age))
    (assert_applies if holds else assert_absent)(situation, LATER, "R3")
    # The day before the 28th birthday he is still 27.
    assert_applies(replace(situation, date_of_birth=born_tomorrow(applied, 28)), LATER, "R3")


def test_r3_counts_the_application_date_even_if_he_is_older_today():
    """R3 still applies years later to a man who was 27 when he applied, though he is 34 now."""
    applied = date(2022, 9, 1)
    situation = replace(r3(), asylum_applied_on=applied, date_of_birth=born(applied, 27))
    assert facts.age_on(situation.date_of_birth, date(2030, 1, 1)) == 34
    assert_applies(situation, date(2030, 1, 1), "R3")


def test_r3_needs_the_application_date():
    """Without the asylum application date R3 asks for the age at application."""
    assert_needs(replace(r3(), asylum_applied_on=None), LATER, "R3", ["age_at_application"])


@pytest.mark.parametrize(
    "military, action, outcome",
    [
        ("conscription_age", "refused_conscription", True),
        (None, "refused_conscription", True),
        ("conscription_age", "deserted", True),
        ("contract", "deserted", False),
        ("mobilised", "deserted", False),
        ("conscription_age", "evaded_mobilisation", False),
        ("conscription_age", "fears_call_up", False),
        ("deserted", "deserted", None),
        (None, "deserted", None),
        ("conscription_age", None, None),
        ("conscription_age", "unknown", None),
    ],
)
def test_r3_refused_or_deserted_as_a_conscript(military, action, outcome):
    """True applies, False leaves R3 out, None: needs refused_or_deserted_as_conscript."""
    situation = replace(r3(), military_situation=military, action=action)
    if outcome is True:
        assert_applies(situation, LATER, "R3")
    elif outcome is False:
        assert_absent(situation, LATER, "R3")
    else:
        assert_needs(situation, LATER, "R3", ["refused_or_deserted_as_conscript"])


@pytest.mark.parametrize(
    "age, birthday, holds",
    [
        (27, "today", False),
        (28, "tomorrow", False),
        (28, "today", True),
        (35, "today", True),
        (36, "tomorrow", True),
        (36, "today", False),
    ],
)
def test_r4_aged_28_to_35(age, birthday, holds):
    """R4 at its age boundaries: 28 on the birthday (not the day before) to 35 inclusive, not at 36."""
    dob = born(LATER, age) if birthday == "today" else born_tomorrow(LATER, age)
    (assert_applies if holds else assert_absent)(replace(r4(), date_of_birth=dob), LATER, "R4")


def test_r4_reservist_or_mobilisation_summons():
    """R4: a mobilisation summons counts as much as being a reservist; a conscription summons does not; nothing recorded asks."""
    assert_applies(replace(r4(), military_situation="never_served", summons_purpose="mobilisation"), LATER, "R4")
    assert_absent(replace(r4(), military_situation="never_served", summons_purpose="conscription"), LATER, "R4")
    assert_needs(replace(r4(), military_situation=None), LATER, "R4", ["reservist_or_mobilisation_summons"])


def test_r4_holds_for_a_mobilised_man():
    """BUG (facts._reservist_or_mobilisation_summons): a mobilised man was by definition a reservist
    called up for mobilisation, but with no summons purpose recorded the fact is False, so R4 (which
    the domain names "called-up reservists") is left out for him."""
    assert_applies(replace(r4(), military_situation="mobilised", summons_purpose=None), LATER, "R4")


def test_r4_asks_for_the_summons_purpose_instead_of_guessing():
    """BUG (facts._reservist_or_mobilisation_summons): a man who never served received a paper
    summons whose purpose nobody recorded. It may be a mobilisation summons, so R4 must ask for
    summons_purpose; the fact is False instead (the military situation being known is taken as an
    answer about the summons), a guess the facts module promises never to make."""
    situation = replace(r4(), military_situation="never_served", summons_type="paper", summons_purpose=None)
    assert_needs(situation, LATER, "R4", ["reservist_or_mobilisation_summons"])


@pytest.mark.parametrize(
    "age, rank, category, holds",
    [
        (35, "soldier", "2", False),  # R4's range, not R5's
        (36, "soldier", "1", True),  # category 1 soldiers: under 40 from 2024
        (39, "soldier", "1", True),
        (40, "soldier", "1", False),
        (36, "soldier", "2", True),
        (49, "soldier", "2", True),
        (50, "soldier", "2", False),
        (54, "soldier", "3", True),
        (55, "soldier", "3", False),
        (64, "major", "3", True),
        (65, "major", "3", False),
        (69, "senior_officer", None, True),
        (70, "senior_officer", None, False),
    ],
)
def test_r5_older_than_35_within_the_reserve(age, rank, category, holds):
    """R5 from 36 up to (not including) the reserve limit for rank and category, from 2024."""
    situation = replace(r5(), date_of_birth=born(LATER, age), rank_group=rank, reserve_category=category)
    (assert_applies if holds else assert_absent)(situation, LATER, "R5")


def test_r5_category_1_soldier_of_37_before_and_from_2024():
    """R5 for a category-1 soldier of 37: out on 2023-12-31 (limit 35), in on 2024-01-01 (limit 40)."""
    situation = replace(r5(), date_of_birth=date(1986, 6, 1), reserve_category="1")
    assert_absent(situation, BEFORE_2024, "R5")
    assert_applies(situation, FROM_2024, "R5")


@pytest.mark.parametrize(
    "military, action, location, outcome",
    [
        ("contract", "deserted", "netherlands", True),
        ("mobilised", "deserted", "netherlands", True),
        ("conscription_age", "deserted", "netherlands", False),
        ("reservist", "deserted", "netherlands", False),
        ("contract", "evaded_mobilisation", "netherlands", False),
        ("contract", "deserted", "russia", False),
        ("contract", "deserted", "schengen", False),
        ("deserted", "deserted", "netherlands", None),
        (None, "deserted", "netherlands", None),
        ("contract", None, "netherlands", None),
    ],
)
def test_r6_deserted_as_contract_or_mobilised_soldier_in_nl(military, action, location, outcome):
    """R6: deserted as a contract or mobilised soldier and now in NL; a conscript deserter or another action is left out; an unclear military situation is asked about."""
    situation = replace(r6(), military_situation=military, action=action, location=location)
    if outcome is True:
        assert_applies(situation, LATER, "R6")
    elif outcome is False:
        assert_absent(situation, LATER, "R6")
    else:
        assert_needs(situation, LATER, "R6", ["deserted_as_professional_or_mobilised"])


@pytest.mark.parametrize("days, holds", [(-1, False), (0, True), (1, True), (90, True), (91, False), (365, False)])
def test_r7_visa_expiring_within_90_days(days, holds):
    """R7: from the day of expiry (0) to 90 days ahead; an expired visa (-1) or 91 days: left out."""
    situation = replace(r7(), permit_expires_on=LATER + timedelta(days=days))
    assert facts.derive(situation, LATER)["days_until_expiry"] == days
    (assert_applies if holds else assert_absent)(situation, LATER, "R7")


def test_r7_only_for_men_of_call_up_age():
    """R7 only for men within call-up age (soldier limit 55 from 2024); unknown expiry or sex is asked for."""
    assert_absent(replace(r7(), sex="F"), LATER, "R7")
    assert_absent(replace(r7(), date_of_birth=born(LATER, 60)), LATER, "R7")  # soldier limit 55
    assert_applies(replace(r7(), date_of_birth=born(LATER, 54)), LATER, "R7")
    assert_needs(replace(r7(), permit_expires_on=None), LATER, "R7", ["days_until_expiry"])
    assert_needs(replace(r7(), sex=None), LATER, "R7", ["sex", "within_call_up_age"])


@pytest.mark.parametrize(
    "completed, holds",
    [
        (LATER, True),
        (LATER - relativedelta(years=3), True),  # three years ago to the day
        (LATER - relativedelta(years=3) - timedelta(days=1), False),  # a day more
        (LATER + timedelta(days=1), False),  # not completed yet
    ],
)
def test_r8_degree_completed_within_three_years(completed, holds):
    """R8: a degree completed up to three years ago to the day; a day more, or a future date, is left out."""
    (assert_applies if holds else assert_absent)(replace(r8(), degree_completed_on=completed), LATER, "R8")


def test_r8_needs_the_degree_date():
    """A student without a recorded degree date: R8 asks for it."""
    assert_needs(replace(r8(), degree_completed_on=None), LATER, "R8", ["dutch_degree_within_3_years"])


def test_r9_exchange_student_with_and_without_a_dutch_degree():
    """R9: an exchange student without a Dutch degree applies; with one, or as a regular student, it does not."""
    assert_applies(r9(), LATER, "R9")
    assert_absent(replace(r9(), degree_completed_on=LATER - relativedelta(years=1)), LATER, "R9")
    assert_absent(replace(r9(), dutch_status="student"), LATER, "R9")


@pytest.mark.parametrize(("permit", "outcome"), [("no", "applies"), ("yes", "absent"), (None, "needs"), ("unknown", "needs")])
def test_r9_researcher_with_and_without_a_residence_permit_for_research(permit, outcome):
    """R9's other half: a researcher without a residence permit for research has no orientation year;
    with one he has; not knowing which is asked for, never guessed."""
    situation = replace(r9(), dutch_status="researcher", research_permit=permit)
    if outcome == "applies":
        assert_applies(situation, LATER, "R9")
    elif outcome == "absent":
        assert_absent(situation, LATER, "R9")
    else:
        assert_needs(situation, LATER, "R9", ["no_orientation_year"])


# Missing facts -------------------------------------------------------------------------------


def test_nothing_known_every_rule_needs_its_unknown_facts_and_none_applies():
    """An empty Situation: no rule applies, each needs exactly its conditions' facts that are
    unknown (R10's conscription_age_raised is known: True)."""
    result = found(Situation(), LATER)
    assert set(result) == set(RULE_IDS)
    for rule_id, finding in result.items():
        assert not finding.applies, rule_id
        expected = [c.fact for c in RULE_IDS[rule_id].conditions if c.fact != "conscription_age_raised"]
        assert finding.needs == expected, rule_id


def test_unknown_date_of_birth_is_asked_for_by_the_age_rules():
    """Without a date of birth, R1, R3, R4 and R5 ask exactly for the age facts they lack and none applies."""
    situation = replace(r4(), date_of_birth=None)
    assert_needs(situation, LATER, "R4", ["age"])
    assert_needs(situation, LATER, "R5", ["age", "within_call_up_age"])
    assert_needs(replace(r3(), date_of_birth=None), LATER, "R3", ["age_at_application"])
    assert_needs(replace(summoned_man(LATER, 25), date_of_birth=None), LATER, "R1", ["within_call_up_age"])


@pytest.mark.parametrize("sex", [None, "unknown", ""])
def test_unknown_sex_is_asked_for(sex):
    """Without a known sex, R1 and R2 ask for sex and call-up age, never applying."""
    situation = replace(summoned_man(LATER, 25), sex=sex)
    assert_needs(situation, LATER, "R1", ["sex", "within_call_up_age"])
    assert_needs(replace(specialist_woman(LATER, 25), sex=sex), LATER, "R2", ["sex", "within_call_up_age"])


def test_unknown_location_asks_every_rule_that_could_apply():
    """Without a location, every rule that could still apply asks for it, and none applies."""
    situation = replace(r4(), location=None)
    result = found(situation, LATER)
    assert result["R4"].needs == ["location_group"] and not result["R4"].applies
    assert "R1" in result and result["R1"].needs == ["location_group", "military_contact"]
    assert all(not finding.applies for finding in result.values())


def test_a_definitely_false_condition_leaves_the_rule_out_whatever_else_is_unknown():
    """Every rule has a location condition: in another Schengen state, nothing applies and nothing
    is asked, however little else is known."""
    assert engine.evaluate(Situation(location="schengen"), LATER) == []
    # In NL with a work permit, only R6 (no status condition) can still apply.
    assert set(found(Situation(location="netherlands", dutch_status="work"), LATER)) == {"R6"}
    # A woman outside Schengen: R1 (a man's rule) is not asked about.
    assert set(found(Situation(location="russia", sex="F"), LATER)) == {"R2"}


# Properties ----------------------------------------------------------------------------------


def codes(options, *extra):
    return st.sampled_from([code for code, _label in options] + [None, "unknown", *extra])


situations = st.builds(
    Situation,
    date_of_birth=st.none() | st.dates(date(1900, 1, 1), date(2030, 12, 31)),
    sex=st.sampled_from(["M", "F", "X", None, "unknown"]),
    location=codes(choices.LOCATIONS),
    dutch_status=codes(choices.DUTCH_STATUSES),
    military_situation=codes(choices.MILITARY_SITUATIONS),
    rank_group=codes(choices.RANK_GROUPS),
    reserve_category=codes(choices.RESERVE_CATEGORIES),
    specialty_class=codes(choices.SPECIALTY_CLASSES),
    profession_class=codes(choices.PROFESSION_CLASSES),
    summons_type=codes(choices.SUMMONS_TYPES),
    summons_purpose=codes(choices.SUMMONS_PURPOSES),
    action=codes(choices.ACTIONS),
    permit_expires_on=st.none() | st.dates(date(2015, 1, 1), date(2035, 12, 31)),
    degree_completed_on=st.none() | st.dates(date(2010, 1, 1), date(2031, 12, 31)),
    research_permit=codes(choices.YES_NO_UNKNOWN),
    asylum_applied_on=st.none() | st.dates(date(2014, 1, 1), date(2030, 12, 31)),
)
evaluation_days = st.dates(date(2022, 1, 1), date(2030, 12, 31))


@hypothesis_settings(max_examples=600, deadline=None, database=None)
@given(situation=situations, on=evaluation_days)
def test_evaluate_is_total_deterministic_and_faithful_to_the_rule_table(situation, on):
    """Over random situations and days: evaluate never raises and gives the same answer twice; an
    applying finding's conditions all hold on the derived facts; a finding's needs are exactly its
    conditions whose fact is UNKNOWN; and a rule left out has a condition that is definitely false."""
    first = engine.evaluate(situation, on)
    second = engine.evaluate(situation, on)
    assert [(f.rule.id, f.applies, f.needs) for f in first] == [(f.rule.id, f.applies, f.needs) for f in second]
    derived = facts.derive(situation, on)
    assert set(derived) == set(facts.FACTS)
    by_id = {finding.rule.id: finding for finding in first}
    for rule in engine.rules():
        outcomes = [(condition.fact, condition.holds(derived)) for condition in rule.conditions]
        finding = by_id.get(rule.id)
        if finding is None:
            assert any(outcome is False for _fact, outcome in outcomes), rule.id
            continue
        if finding.applies:
            assert finding.needs == []
            assert all(outcome is True for _fact, outcome in outcomes), (rule.id, outcomes)
        else:
            assert finding.needs, rule.id
            assert all(derived[fact] is UNKNOWN for fact in finding.needs), (rule.id, finding.needs)
            assert finding.needs == [fact for fact, outcome in outcomes if outcome is UNKNOWN]
            assert not any(outcome is False for _fact, outcome in outcomes)


@hypothesis_settings(max_examples=300, deadline=None, database=None)
@given(situation=situations, on=evaluation_days)
def test_every_derived_fact_is_unknown_or_of_its_kind(situation, on):
    """Facts are UNKNOWN or a plain value the rule operators can compare (no None, no "unknown")."""
    derived = facts.derive(situation, on)
    for name, value in derived.items():
        assert value is not None and value != "unknown" and value != "", (name, value)
    for name in ("within_call_up_age", "military_contact", "medical_or_military_specialty", "refused_or_deserted_as_conscript",
                 "deserted_as_professional_or_mobilised", "reservist_or_mobilisation_summons", "dutch_degree_within_3_years",
                 "no_orientation_year", "conscription_age_raised"):  # fmt: skip
        assert derived[name] is UNKNOWN or isinstance(derived[name], bool), (name, derived[name])


def test_every_fact_has_its_source_fields():
    """The missing-information page can name a field for every fact a rule may ask for."""
    assert set(facts.SOURCES) == set(facts.FACTS)
    fields = set(Situation.__dataclass_fields__)
    for fact, sources in facts.SOURCES.items():
        assert set(sources) <= fields, fact


# Rule file validation ------------------------------------------------------------------------

ONE_RULE = """
[[rule]]
id = "R1"
proposal = "P1"
conditions = [ { fact = "sex", op = "eq", value = "M" } ]
[rule.explanation]
en = "English"
nl = "Nederlands"
ru = "Русский"
uk = "Українська"
"""


def rule_error(text: str) -> str:
    with pytest.raises(RuleFileError) as raised:
        engine.parse_rules(text, "test.toml")
    return str(raised.value)


def test_the_shipped_rule_file_is_valid():
    """rules.toml parses: R1-R10 with the proposals of the rule table and all four languages."""
    parsed = engine.parse_rules(RULES_TOML)
    assert [rule.id for rule in parsed] == [f"R{number}" for number in range(1, 11)]
    assert {rule.id: rule.proposal for rule in parsed} == {
        "R1": "P1", "R2": "P1", "R3": "P2", "R4": "P2", "R5": "P2", "R6": "P2", "R7": "P3", "R8": "P3", "R9": "P3", "R10": "P2",
    }  # fmt: skip
    assert all(set(rule.explanation) >= set(LOCALES) for rule in parsed)


def test_a_minimal_rule_file_parses():
    """The test's one-rule file is valid, so each refusal below is due to its one change."""
    (rule,) = engine.parse_rules(ONE_RULE)
    assert rule.conditions == (engine.Condition("sex", "eq", "M"),)


def test_rule_file_rejects_an_unknown_fact():
    """A fact that facts.FACTS does not define is refused, naming the file, rule and fact."""
    message = rule_error(ONE_RULE.replace('fact = "sex"', 'fact = "height"'))
    assert "test.toml" in message and "rule R1" in message and "unknown fact 'height'" in message


def test_rule_file_rejects_an_unknown_operator():
    """An operator outside eq/ne/in/ge/le/between is refused, naming the rule and operator."""
    message = rule_error(ONE_RULE.replace('op = "eq"', 'op = "like"'))
    assert "rule R1" in message and "unknown operator 'like'" in message


@pytest.mark.parametrize("value", ["[27, 18]", "[18]", "[18, 27, 30]", '"18-27"', "18"])
def test_rule_file_rejects_a_malformed_between(value):
    """`between` needs exactly [low, high] with low <= high."""
    text = ONE_RULE.replace('{ fact = "sex", op = "eq", value = "M" }', f'{{ fact = "age", op = "between", value = {value} }}')
    message = rule_error(text)
    assert "rule R1" in message and "'between' needs [low, high]" in message


def test_rule_file_rejects_a_between_of_text_with_a_rule_file_error():
    """BUG (engine.parse_rules): `value = ["a", 27]` makes the check `value[0] <= value[1]` raise a
    TypeError instead of the RuleFileError that names the rule and the problem."""
    text = ONE_RULE.replace('{ fact = "sex", op = "eq", value = "M" }', '{ fact = "age", op = "between", value = ["a", 27] }')
    message = rule_error(text)
    assert "rule R1" in message and "between" in message


def test_rule_file_rejects_a_comparison_that_evaluate_could_not_make():
    """BUG (engine.parse_rules): `ge` with a text value ("36") is accepted, and evaluate then raises
    TypeError ('>=' between int and str) on every case where the age is known, i.e. every save."""
    text = ONE_RULE.replace('{ fact = "sex", op = "eq", value = "M" }', '{ fact = "age", op = "ge", value = "36" }')
    message = rule_error(text)
    assert "rule R1" in message


def test_rule_file_rejects_in_without_a_list():
    """`in` needs a list."""
    message = rule_error(ONE_RULE.replace('op = "eq", value = "M"', 'op = "in", value = "M"'))
    assert "rule R1" in message and "'in' needs a list" in message


@pytest.mark.parametrize("language", LOCALES)
def test_rule_file_rejects_a_missing_translation(language):
    """An explanation missing in any of en/nl/ru/uk is refused, naming the language."""
    text = re.sub(rf"^{language} = .*$", "", ONE_RULE, flags=re.M)
    message = rule_error(text)
    assert "rule R1" in message and f"explanation missing in {language}" in message


def test_rule_file_rejects_an_empty_translation():
    """An empty explanation counts as missing."""
    message = rule_error(ONE_RULE.replace('uk = "Українська"', 'uk = ""'))
    assert "explanation missing in uk" in message


def test_rule_file_rejects_duplicate_ids():
    """Two rules with the same id are refused, naming the id."""
    message = rule_error(ONE_RULE + ONE_RULE)
    assert "rule R1" in message and "unique id" in message


def test_rule_file_rejects_a_missing_id_an_unknown_proposal_no_conditions_and_no_rules():
    """A rule without id, with a proposal outside P1-P3 or without conditions, an empty file and bad TOML are refused."""
    assert "unique id" in rule_error(ONE_RULE.replace('id = "R1"\n', ""))
    message = rule_error(ONE_RULE.replace('proposal = "P1"', 'proposal = "P4"'))
    assert "rule R1" in message and "proposal must be one of P1, P2, P3" in message
    message = rule_error(ONE_RULE.replace('conditions = [ { fact = "sex", op = "eq", value = "M" } ]', "conditions = []"))
    assert "rule R1" in message and "at least one condition" in message
    assert "no rules" in rule_error("")
    assert "not valid TOML" in rule_error("[[rule]\n")


# Baseline validation -------------------------------------------------------------------------


def baseline_error(text: str) -> str:
    with pytest.raises(RuleFileError) as raised:
        engine.parse_baseline(text, RULE_IDS, "test-baseline.toml")
    return str(raised.value)


def with_coverage(rule_id: str, periods: str) -> str:
    """The shipped baseline with `rule_id`'s coverage line(s) replaced."""
    text = (
        re.sub(rf"^{rule_id} = \[.*?\]$\n", "", BASELINE_TOML, flags=re.M | re.S)
        if rule_id != "R3"
        else re.sub(r"^R3 = \[\n.*?^\]\n", "", BASELINE_TOML, flags=re.M | re.S)
    )
    assert f"\n{rule_id} = " not in text
    return text.replace("[coverage]\n", f"[coverage]\n{rule_id} = {periods}\n")


def test_the_shipped_baseline_parses():
    """The shipped baseline parses to the same Baseline the engine uses, with R3's two periods."""
    parsed = engine.parse_baseline(BASELINE_TOML, RULE_IDS)
    assert parsed == engine.built_in_baseline()
    assert parsed.coverage["R3"] == (
        engine.Period(date(2022, 6, 29), date(2023, 6, 29), "yes"),
        engine.Period(date(2023, 6, 30), None, "unknown"),
    )


def test_with_coverage_helper_builds_a_valid_baseline():
    """The helper's edited baselines are valid when the edit is, so each refusal below is due to its one change."""
    assert engine.parse_baseline(with_coverage("R4", '[{ from = 2025-01-01, covered = "yes" }]'), RULE_IDS).covers(
        "R4", LATER
    ) == ("yes", date(2025, 1, 1))
    assert (
        engine.parse_baseline(with_coverage("R3", '[{ from = 2022-06-29, covered = "yes" }]'), RULE_IDS).covers("R3", LATER)[0]
        == "yes"
    )


@pytest.mark.parametrize(
    "periods",
    [
        '[{ from = 2022-01-01, covered = "no" }, { from = 2024-01-01, covered = "yes" }]',  # open end overlaps
        '[{ from = 2022-01-01, to = 2024-01-01, covered = "no" }, { from = 2024-01-01, covered = "yes" }]',  # shared day
        '[{ from = 2024-01-01, covered = "yes" }, { from = 2022-01-01, to = 2024-06-30, covered = "no" }]',  # out of order
    ],
)
def test_baseline_rejects_overlapping_ranges(periods):
    """Overlapping ranges (open end, shared day, given out of order) are refused, naming the rule."""
    message = baseline_error(with_coverage("R4", periods))
    assert "test-baseline.toml" in message and "coverage of R4" in message and "overlap" in message


def test_baseline_accepts_adjacent_ranges():
    """Ranges that end one day before the next begins are fine, and each day gets its own state."""
    text = with_coverage("R4", '[{ from = 2022-01-01, to = 2023-12-31, covered = "no" }, { from = 2024-01-01, covered = "yes" }]')
    parsed = engine.parse_baseline(text, RULE_IDS)
    assert parsed.covers("R4", BEFORE_2024) == ("no", date(2022, 1, 1))
    assert parsed.covers("R4", FROM_2024) == ("yes", FROM_2024)


def test_baseline_rejects_a_range_ending_before_it_starts():
    """`to` before `from` is refused."""
    message = baseline_error(with_coverage("R4", '[{ from = 2024-01-01, to = 2023-12-31, covered = "no" }]'))
    assert "coverage of R4" in message and "malformed date range" in message


def test_baseline_rejects_a_range_without_a_start():
    """A range without `from` is refused."""
    message = baseline_error(with_coverage("R4", '[{ to = 2023-12-31, covered = "no" }]'))
    assert "coverage of R4" in message and "malformed date range" in message


def test_baseline_rejects_an_unknown_rule():
    """Coverage for a rule the rule table does not have is refused."""
    message = baseline_error(BASELINE_TOML.replace("[coverage]\n", '[coverage]\nR11 = [{ from = 2022-01-01, covered = "no" }]\n'))
    assert "coverage of R11" in message and "no such rule" in message


@pytest.mark.parametrize("covered", ['"maybe"', '"Yes"', "true", '""'])
def test_baseline_rejects_a_bad_covered_value(covered):
    """`covered` must be one of yes/partly/no/unknown."""
    message = baseline_error(with_coverage("R4", f"[{{ from = 2022-01-01, covered = {covered} }}]"))
    assert "coverage of R4" in message and "covered must be one of yes, partly, no, unknown" in message


def test_baseline_rejects_a_missing_or_blank_version():
    """A baseline needs a version, as non-blank text."""
    assert "needs a version" in baseline_error(BASELINE_TOML.replace('version = "2022-06-29"\n', ""))
    assert "needs a version" in baseline_error(BASELINE_TOML.replace('version = "2022-06-29"', 'version = "  "'))
    assert "needs a version" in baseline_error(BASELINE_TOML.replace('version = "2022-06-29"', "version = 2022"))


def test_baseline_rejects_a_missing_or_textual_effective_from():
    """A baseline needs effective_from as a TOML date, not text."""
    assert "needs effective_from" in baseline_error(BASELINE_TOML.replace("effective_from = 2022-06-29\n", ""))
    assert "needs effective_from" in baseline_error(
        BASELINE_TOML.replace("effective_from = 2022-06-29", 'effective_from = "2022-06-29"')
    )


@pytest.mark.parametrize("rule_id", list(RULE_IDS))
def test_baseline_rejects_one_that_leaves_out_a_rule(rule_id):
    """A baseline must say something about every rule; leaving one out is refused, naming it."""
    text = with_coverage(rule_id, "[]").replace(f"{rule_id} = []\n", "")
    message = baseline_error(text)
    assert "coverage" in message and f"no coverage for {rule_id}" in message


def test_baseline_rejects_no_coverage_at_all_and_bad_toml():
    """No [coverage] table names every rule missing; invalid TOML is refused as such."""
    assert "no coverage for R1, R10, R2" in baseline_error(BASELINE_TOML.split("[coverage]")[0])
    assert "not valid TOML" in baseline_error("version = \n")


@pytest.mark.parametrize(
    "periods",
    [
        '"no"',  # a bare value instead of a list of ranges
        '["no"]',  # a list of values instead of tables
    ],
)
def test_baseline_with_coverage_that_is_not_a_list_of_ranges_is_a_rule_file_error(periods):
    """BUG (engine.parse_baseline): `R4 = "no"` or `R4 = ["no"]` raises AttributeError ('str' object
    has no attribute 'get') instead of RuleFileError, so the admin upload page fails with a server
    error and `flask rules check-baseline` with a traceback."""
    message = baseline_error(with_coverage("R4", periods))
    assert "coverage of R4" in message


def test_baseline_with_a_date_and_time_is_a_rule_file_error():
    """BUG (engine.parse_baseline): a TOML date-time (`from = 2024-01-01T00:00:00`) passes the
    isinstance(date) check (datetime is a date) and the comparison with a plain `to` date raises
    TypeError instead of RuleFileError."""
    message = baseline_error(with_coverage("R4", '[{ from = 2024-01-01T00:00:00, to = 2024-06-30, covered = "no" }]'))
    assert "coverage of R4" in message
