"""The proposal rules without a database (domain.md, "Facts behind the rules" and the rule table
R1-R10 as corrected on 2026-12-02): `casework.rules.facts` and `casework.rules.engine.evaluate` on
hand-built Situations, at every age and date boundary; the moratorium dates of the shipped baseline;
locations and Dutch statuses; missing facts asked for instead of guessed; properties over random
situations; and the validation of rule and baseline files. The age limits themselves (conscription,
reserve by rank and birth year, categories) are in tests/test_rules_limits.py."""

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
from casework.rules import engine, facts, limits
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


def summoned_man(on: date, age: int, *, rank="soldier", location="russia", birthday="today") -> Situation:
    """R1's person: a soldier outside Schengen with a paper summons, of `age` on `on`."""
    dob = born(on, age) if birthday == "today" else born_tomorrow(on, age)
    return Situation(date_of_birth=dob, sex="M", location=location, contact_kinds="summons_paper", rank_group=rank)


def specialist_woman(on: date, age: int, *, rank="none", birthday="today", **facts_) -> Situation:
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
        (date(1990, 1, 1), (18, 27)),
        (date(2022, 6, 29), (18, 27)),
        (BEFORE_2024, (18, 27)),
        (FROM_2024, (18, 30)),
        (LATER, (18, 30)),
        (date(2030, 12, 31), (18, 30)),
    ],
)
def test_conscription_age_is_18_to_27_before_2024_and_18_to_30_from_2024(on, expected):
    """conscription_ages: (first age, the birthday whose eve is the last day), switching on 2024-01-01."""
    assert facts.conscription_ages(on) == expected


@pytest.mark.parametrize(
    "on, dob, within",
    [
        (date(2023, 12, 31), date(2005, 12, 31), True),  # 18th birthday
        (date(2023, 12, 30), date(2005, 12, 31), False),  # the day before it
        (date(2023, 12, 31), date(1997, 1, 1), True),  # 26, the day before the 27th birthday
        (date(2023, 12, 31), date(1996, 12, 31), False),  # 27th birthday, before 2024: out
        (FROM_2024, date(1997, 1, 1), True),  # turns 27 on 2024-01-01: not before it, so liable to 30
        (FROM_2024, date(1996, 12, 31), False),  # turned 27 on 2023-12-31: not conscripted again
        (LATER, date(1996, 6, 15), False),  # 29, but turned 27 in 2023
        (LATER, date(1997, 6, 15), True),  # 28, turned 27 in 2024
        (date(2026, 12, 31), date(1997, 1, 1), True),  # the day before the 30th birthday
        (date(2027, 1, 1), date(1997, 1, 1), False),  # 30th birthday
    ],
)
def test_within_call_up_age_by_conscription_alone(monkeypatch, on, dob, within):
    """With the reserve out of the way, a man is of call-up age exactly from his 18th birthday to the
    day before his 27th (30th from 2024), and not at all from 2024 if he turned 27 before 2024."""
    monkeypatch.setattr(limits, "reserve_last_day", lambda *args: date.min)
    derived = facts.derive(Situation(date_of_birth=dob, sex="M", rank_group="soldier"), on)
    assert derived["within_call_up_age"] is within


def r10(on=LATER, age=29, posted=None):
    """Summoned for conscription at `age`, in NL with asylum pending."""
    posted = posted or on - timedelta(days=100)
    return Situation(
        date_of_birth=born(posted, age),
        sex="M",
        location="netherlands",
        dutch_status="asylum_pending",
        contact_kinds="summons_electronic",
        summons_purpose="conscription",
        summons_posted_on=posted,
    )


@pytest.mark.parametrize(
    "posted, age, birthday, holds",
    [
        (BEFORE_2024, 28, "today", False),  # dated before the age was raised
        (FROM_2024, 27, "today", False),
        (FROM_2024, 28, "tomorrow", False),  # still 27 that day
        (FROM_2024, 28, "today", True),
        (LATER, 29, "today", True),
        (LATER, 30, "tomorrow", True),  # the day before the 30th birthday
        (LATER, 30, "today", False),
    ],
)
def test_r10_summoned_for_conscription_from_2024_at_28_or_29(posted, age, birthday, holds):
    """R10: a conscription summons dated on or after 2024-01-01 and received at 28 or 29."""
    dob = born(posted, age) if birthday == "today" else born_tomorrow(posted, age)
    situation = replace(r10(posted=posted), date_of_birth=dob)
    (assert_applies if holds else assert_absent)(situation, date(2026, 1, 1), "R10")


def test_r10_needs_the_summons_purpose_and_date_when_not_recorded():
    """R10 asks for the purpose and date of the summons; a mobilisation summons, or no summons at all,
    leaves it out."""
    assert_needs(replace(r10(), summons_purpose=None), LATER, "R10", ["conscription_summons_from_2024"])
    assert_needs(replace(r10(), summons_posted_on=None), LATER, "R10", ["conscription_summons_from_2024", "age_at_summons"])
    assert_absent(replace(r10(), summons_purpose="mobilisation"), LATER, "R10")
    assert_absent(replace(r10(), contact_kinds="none", summons_purpose=None), LATER, "R10")


# Reserve age in the rules --------------------------------------------------------------------


def test_a_recorded_category_does_not_cut_the_reserve_age():
    """A soldier of 42 recorded "in category 1" (which ends at 40) is still in the reserve until his
    birth year's limit: the category follows from age and rank, and the recorded one is not trusted."""
    situation = summoned_man(LATER, 42)
    assert_applies(situation, LATER, "R1")
    assert facts.derived_category(situation, LATER) == "2"


@pytest.mark.parametrize(
    "dob, on, within",
    [
        (date(1974, 3, 1), date(2025, 2, 28), True),  # turned 50 in 2024: until the day before 51
        (date(1974, 3, 1), date(2025, 3, 1), False),
        (date(1973, 3, 1), date(2024, 1, 1), False),  # turned 50 in 2023: discharged, not re-enrolled
        (date(1977, 3, 1), date(2031, 2, 28), True),  # turned 50 in 2027: until 54
        (date(1977, 3, 1), date(2031, 3, 1), False),
        (date(1978, 3, 1), date(2033, 2, 28), True),  # from 2028 the limit is 55
        (date(1978, 3, 1), date(2033, 3, 1), False),
    ],
)
def test_r1_follows_the_soldiers_transition_by_birth_year(dob, on, within):
    """R1 for a summoned soldier: in the reserve exactly up to his birth year's limit."""
    situation = Situation(date_of_birth=dob, sex="M", location="russia", contact_kinds="summons_paper", rank_group="soldier")
    (assert_applies if within else assert_absent)(situation, on, "R1")


@pytest.mark.parametrize("rank", [None, "unknown"])
def test_an_unrecorded_rank_decides_only_where_every_rank_agrees(rank):
    """Without a rank: a man of 45 is in the reserve whatever his rank (every limit is above), one of
    75 is out of it (every limit is below); one of 60 is in for officers and out for soldiers, so R1
    asks for the rank instead of guessing."""
    assert_applies(summoned_man(LATER, 45, rank=rank), LATER, "R1")
    assert_absent(summoned_man(LATER, 75, rank=rank), LATER, "R1")
    assert_needs(summoned_man(LATER, 60, rank=rank), LATER, "R1", ["within_call_up_age"])
    assert_absent(summoned_man(LATER, 60, rank="none"), LATER, "R1")  # no rank: a private soldier


@pytest.mark.parametrize("on", [BEFORE_2024, FROM_2024])
def test_r1_starts_at_18(on):
    """R1 starts on the 18th birthday: not at 17, nor the day before turning 18."""
    assert_absent(summoned_man(on, 17), on, "R1")
    assert_absent(summoned_man(on, 18, birthday="tomorrow"), on, "R1")
    assert_applies(summoned_man(on, 18), on, "R1")


@pytest.mark.parametrize("on", [BEFORE_2024, FROM_2024])
@pytest.mark.parametrize("age", [27, 28, 29, 30, 31])
def test_r1_keeps_men_past_conscription_age_through_the_reserve(on, age):
    """Past conscription age (or left out of it in 2024) a soldier is still in the reserve."""
    assert_applies(summoned_man(on, age), on, "R1")


@pytest.mark.parametrize("kind", [code for code, _label in choices.CONTACT_KINDS if code != "none"])
def test_r1_counts_every_kind_of_contact_from_the_military(kind):
    """A summons of any delivery, a call from the commissariat, a visit, a street stop or raid, a
    "data check" invitation: each alone puts a man of call-up age outside Schengen in R1."""
    assert_applies(replace(summoned_man(LATER, 25), contact_kinds=kind), LATER, "R1")


@pytest.mark.parametrize("situation", ["deserted_contract", "deserted_mobilised", "mobilised"])
def test_r1_counts_a_contract_or_mobilised_soldier_who_left_his_unit(situation):
    """With no contact recorded, a contract or mobilised soldier who left his unit (or a mobilised man)
    is in R1's group all the same."""
    assert_applies(replace(summoned_man(LATER, 25), contact_kinds="none", military_situation=situation), LATER, "R1")
    assert_applies(replace(summoned_man(LATER, 25), contact_kinds=None, military_situation=situation), LATER, "R1")


def test_r1_needs_a_contact_and_a_man():
    """No contact at all leaves R1 out; nothing recorded (or a deserter from an unrecorded service)
    asks; a woman or sex X is never in R1."""
    base = summoned_man(LATER, 25)
    assert_absent(replace(base, contact_kinds="none", military_situation="never_served"), LATER, "R1")
    assert_needs(replace(base, contact_kinds=None), LATER, "R1", ["military_contact"])
    assert_needs(replace(base, contact_kinds="unknown"), LATER, "R1", ["military_contact"])
    assert_needs(replace(base, contact_kinds="none", military_situation="deserted"), LATER, "R1", ["military_contact"])
    assert_absent(replace(base, sex="F"), LATER, "R1")
    assert_absent(replace(base, sex="X"), LATER, "R1")


# Women (R2) ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rank, limit", [("soldier", 45), ("none", 45), ("junior_officer", 50), ("senior_officer", 50)])
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
    situation = specialist_woman(
        LATER, 30, profession_class="it", military_situation="never_served", contact_kinds="summons_paper"
    )
    assert_absent(situation, LATER, "R2")
    assert_absent(situation, LATER, "R1")


def test_r2_needs_the_specialty_when_nothing_about_it_is_recorded():
    """With neither profession nor specialty recorded, R2 asks for them instead of guessing."""
    situation = specialist_woman(LATER, 30, profession_class=None)
    assert_needs(situation, LATER, "R2", ["medical_or_military_specialty"])


def test_r2_is_never_for_men_and_r1_never_for_women():
    """The same facts with the sex changed move the case between R1 (men) and R2 (women)."""
    woman = specialist_woman(LATER, 25, contact_kinds="summons_paper")
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
    return Situation(
        date_of_birth=born(applied, 25),
        sex="M",
        location="netherlands",
        dutch_status="asylum_pending",
        asylum_applied_on=applied,
        action="refused_conscription",
        military_situation="conscription_age",
    )


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
    return Situation(
        date_of_birth=born(on, 40),
        sex="M",
        location="netherlands",
        dutch_status="asylum_pending",
        military_situation="reservist",
        rank_group="soldier",
        action="evaded_mobilisation",
    )


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
        rank_group="none",
    )


def r8(on=LATER):
    return Situation(
        date_of_birth=born(on, 25),
        sex="M",
        location="netherlands",
        dutch_status="student",
        degree_country="NL",
        degree_completed_on=on - relativedelta(years=1),
    )


def r9(on=LATER):
    """An exchange student with a Russian degree; were he a researcher, he has no permit for research."""
    return Situation(
        date_of_birth=born(on, 22),
        sex="M",
        location="netherlands",
        dutch_status="exchange_student",
        degree_country="RU",
        research_permit="no",
    )


SITUATIONS = {
    "R3": (r3, ("asylum_pending", "asylum_rejected")),
    "R4": (r4, ("asylum_pending",)),
    "R5": (r5, ("asylum_pending",)),
    "R6": (r6, None),
    "R7": (r7, ("schengen_visa", "visa_free")),
    "R8": (r8, ("student",)),
    "R9": (r9, ("exchange_student", "researcher")),
    "R10": (r10, ("asylum_pending",)),
}
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
    """R3 needs asylum pending or rejected, R4/R5/R10 asylum pending, R7 a short-stay visa or a visa-free
    stay, R8 student, R9 exchange student or researcher; every other status leaves the rule out. R6
    does not depend on the status."""
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
        ("serving_conscript", "deserted", True),
        ("deserted_conscript", None, True),
        ("deserted_conscript", "unknown", True),
        ("deserted_contract", None, False),
        ("deserted_mobilised", "deserted", False),
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
    situation = replace(r4(), military_situation="never_served", contact_kinds="summons_paper", summons_purpose=None)
    assert_needs(situation, LATER, "R4", ["reservist_or_mobilisation_summons"])


@pytest.mark.parametrize(
    "age, birthday, rank, holds",
    [
        (35, "today", "soldier", False),  # R4's range, not R5's
        (36, "today", "soldier", True),
        (49, "today", "soldier", True),
        (50, "today", "soldier", True),  # born 1975: in the reserve until 52
        (51, "tomorrow", "soldier", True),  # born 1974, still 50: until 51
        (51, "today", "soldier", False),
        (54, "today", "soldier", False),  # born 1971: left at 50 in 2021
        (64, "today", "major", True),
        (65, "today", "major", False),
        (69, "today", "senior_officer", True),
        (70, "today", "senior_officer", False),
        (44, "today", "junior_officer", True),
    ],
)
def test_r5_older_than_35_within_the_reserve_for_rank_and_birth_year(age, birthday, rank, holds):
    """R5 from 36 up to the day before the reserve limit for rank and birth year (on 2025-06-15)."""
    dob = born(LATER, age) if birthday == "today" else born_tomorrow(LATER, age)
    situation = replace(r5(), date_of_birth=dob, rank_group=rank)
    (assert_applies if holds else assert_absent)(situation, LATER, "R5")


def test_r5_has_no_sex_condition():
    """R5 names no sex: a woman of 40 within the women's reserve age (45) is in its group."""
    assert_applies(replace(r5(), sex="F", rank_group="none"), LATER, "R5")
    assert_absent(replace(r5(), sex="F", rank_group="none", date_of_birth=born(LATER, 45)), LATER, "R5")


@pytest.mark.parametrize(
    "military, action, location, outcome",
    [
        ("contract", "deserted", "netherlands", True),
        ("mobilised", "deserted", "netherlands", True),
        ("deserted_contract", None, "netherlands", True),
        ("deserted_mobilised", "unknown", "netherlands", True),
        ("conscription_age", "deserted", "netherlands", False),
        ("deserted_conscript", None, "netherlands", False),
        ("contract", "evaded_mobilisation", "netherlands", False),
        ("contract", None, "netherlands", False),  # serving: did not desert
        ("contract", "deserted", "russia", False),
        ("contract", "deserted", "schengen", False),
        ("reservist", "deserted", "netherlands", None),  # from which service?
        ("deserted", "deserted", "netherlands", None),
        (None, "deserted", "netherlands", None),
        (None, None, "netherlands", None),
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


@pytest.mark.parametrize("days, holds", [(-400, True), (-1, True), (0, True), (90, True), (91, False), (365, False)])
def test_r7_visa_ending_within_90_days_or_already_ended(days, holds):
    """R7 by the visa's end, with the 90/180-day limit later: from an ended stay to 90 days ahead."""
    entered = LATER + timedelta(days=5)  # entry planned: the 90/180 limit ends 94 days from now
    situation = replace(r7(), permit_expires_on=LATER + timedelta(days=days), entry_on=entered, days_used=0)
    (assert_applies if holds else assert_absent)(situation, LATER, "R7")


@pytest.mark.parametrize(
    "entered_days_ago, used, holds",
    [
        (0, 0, True),  # entered today: the last day is 89 days from now
        (-1, 0, True),  # enters tomorrow: the last day is 90 days from now
        (-2, 0, False),  # enters in two days: the last day is 91 days from now
        (-10, 10, True),  # enters in ten days with ten days used: ends on day 89
        (-20, 0, False),  # enters in 20 days: ends after day 90
    ],
)
def test_r7_stay_ends_by_the_90_180_day_limit_before_a_far_visa_end(entered_days_ago, used, holds):
    """A visa valid for a year: the stay still ends by the 90/180-day limit, counted from the entry
    date and the days used in the 180 days before it, whichever comes first."""
    entered = LATER - timedelta(days=entered_days_ago)
    last_day = facts.short_stay_last_day(entered, used)
    assert last_day == entered + timedelta(days=89 - used)
    situation = replace(r7(), permit_expires_on=LATER + timedelta(days=365), entry_on=entered, days_used=used)
    assert holds == (last_day <= LATER + timedelta(days=90))
    (assert_applies if holds else assert_absent)(situation, LATER, "R7")


def test_r7_a_visa_free_stay_ends_by_the_90_180_day_limit():
    """A visa-free stay has no visa end: the 90/180-day limit alone decides, and without the entry date
    R7 asks for it."""
    visa_free = replace(r7(), dutch_status="visa_free", permit_expires_on=None)
    assert_applies(replace(visa_free, entry_on=LATER - timedelta(days=30), days_used=20), LATER, "R7")
    assert_applies(replace(visa_free, entry_on=LATER - timedelta(days=200), days_used=None), LATER, "R7")  # ended
    assert_needs(visa_free, LATER, "R7", ["stay_ends_within_90_days"])


def test_r7_only_for_men_of_call_up_age():
    """R7 only for men within call-up age (a soldier born in 1971 left the reserve at 50); unknown
    stay end or sex is asked for."""
    assert_absent(replace(r7(), sex="F"), LATER, "R7")
    assert_absent(replace(r7(), date_of_birth=born(LATER, 54)), LATER, "R7")
    assert_applies(replace(r7(), date_of_birth=born(LATER, 47)), LATER, "R7")
    assert_needs(replace(r7(), permit_expires_on=None), LATER, "R7", ["stay_ends_within_90_days"])
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


def test_r8_needs_the_degree_date_and_country():
    """A student without a recorded degree date or country: R8 asks for them; a degree from elsewhere
    leaves R8 out."""
    assert_needs(replace(r8(), degree_completed_on=None), LATER, "R8", ["dutch_degree_within_3_years"])
    assert_needs(replace(r8(), degree_country=None), LATER, "R8", ["dutch_degree_within_3_years"])
    assert_absent(replace(r8(), degree_country="RU"), LATER, "R8")
    assert_absent(replace(r8(), degree_country=None, degree_completed_on=LATER - relativedelta(years=5)), LATER, "R8")


@pytest.mark.parametrize(
    "country, outcome", [("RU", "applies"), ("other", "applies"), ("none", "applies"), ("NL", "absent"), (None, "needs")]
)
def test_r9_exchange_student_by_the_country_of_his_degree(country, outcome):
    """R9: an exchange student without a Dutch degree (a Russian one, none at all) applies, whatever
    the degree's date; with a Dutch degree he does not; an unrecorded country is asked for."""
    situation = replace(r9(), degree_country=country, degree_completed_on=LATER - relativedelta(years=1))
    if outcome == "applies":
        assert_applies(situation, LATER, "R9")
    elif outcome == "absent":
        assert_absent(situation, LATER, "R9")
    else:
        assert_needs(situation, LATER, "R9", ["no_orientation_year"])
    assert_absent(replace(r9(), dutch_status="student"), LATER, "R9")


def test_r4_and_r9_are_for_men_only():
    """R4 and R9 name a man: the same facts for a woman leave them out, and an unknown sex asks."""
    assert_absent(replace(r4(), sex="F"), LATER, "R4")
    assert_absent(replace(r9(), sex="F"), LATER, "R9")
    assert_needs(replace(r9(), sex=None), LATER, "R9", ["sex"])


def test_r3_covers_a_rejected_asylum_seeker():
    """The moratorium protected rejected asylum seekers from removal too: R3 holds after a rejection."""
    assert_applies(replace(r3(), dutch_status="asylum_rejected"), LATER, "R3")
    assert_absent(replace(r3(), dutch_status="asylum_granted"), LATER, "R3")


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
    """An empty Situation: no rule applies, each needs exactly its conditions' facts."""
    result = found(Situation(), LATER)
    assert set(result) == set(RULE_IDS)
    for rule_id, finding in result.items():
        assert not finding.applies, rule_id
        assert finding.needs == [c.fact for c in RULE_IDS[rule_id].conditions], rule_id


def test_unknown_date_of_birth_is_asked_for_by_the_age_rules():
    """Without a date of birth, R1, R3, R4 and R5 ask exactly for the age facts they lack and none applies."""
    situation = replace(r4(), date_of_birth=None)
    assert_needs(situation, LATER, "R4", ["age"])
    assert_needs(situation, LATER, "R5", ["age", "within_reserve_age"])
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


CONTACT_CODES = [code for code, _label in choices.CONTACT_KINDS if code != "none"]


def codes(options, *extra):
    return st.sampled_from([code for code, _label in options] + [None, "unknown", *extra])


situations = st.builds(
    Situation,
    date_of_birth=st.none() | st.dates(date(1900, 1, 1), date(2030, 12, 31)),
    sex=st.sampled_from(["M", "F", "X", None, "unknown"]),
    location=codes(choices.LOCATIONS),
    dutch_status=codes(choices.DUTCH_STATUSES),
    military_situation=codes(choices.MILITARY_SITUATIONS),
    birth_year_estimated=st.none() | st.integers(1940, 2012),
    rank_group=codes(choices.RANK_GROUPS),
    specialty_class=codes(choices.SPECIALTY_CLASSES),
    profession_class=codes(choices.PROFESSION_CLASSES),
    contact_kinds=st.none() | st.just("none") | st.sets(st.sampled_from(CONTACT_CODES), min_size=1).map(",".join),
    summons_purpose=codes(choices.SUMMONS_PURPOSES),
    summons_posted_on=st.none() | st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    action=codes(choices.ACTIONS),
    entry_on=st.none() | st.dates(date(2020, 1, 1), date(2031, 12, 31)),
    days_used=st.none() | st.integers(0, 90),
    permit_expires_on=st.none() | st.dates(date(2015, 1, 1), date(2035, 12, 31)),
    degree_country=codes(choices.DEGREE_COUNTRIES),
    degree_completed_on=st.none() | st.dates(date(2010, 1, 1), date(2031, 12, 31)),
    research_permit=codes(choices.YES_NO_UNKNOWN),
    asylum_applied_on=st.none() | st.dates(date(2014, 1, 1), date(2030, 12, 31)),
)
evaluation_days = st.dates(date(2022, 1, 1), date(2030, 12, 31))


def outcome_of(condition, each: list[dict]):
    """A condition's outcome over the possible situations: the same for all, else UNKNOWN."""
    outcomes = {repr(condition.holds(derived)) for derived in each}
    return condition.holds(each[0]) if len(outcomes) == 1 else UNKNOWN


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
    each = facts.derive_each(situation, on)
    by_id = {finding.rule.id: finding for finding in first}
    for rule in engine.rules():
        outcomes = [(condition.fact, outcome_of(condition, each)) for condition in rule.conditions]
        finding = by_id.get(rule.id)
        if finding is None:
            assert any(outcome is False for _fact, outcome in outcomes), rule.id
            continue
        if finding.applies:
            assert finding.needs == []
            assert all(outcome is True for _fact, outcome in outcomes), (rule.id, outcomes)
        else:
            assert finding.needs, rule.id
            assert finding.needs == [fact for fact, outcome in outcomes if outcome is UNKNOWN]
            assert not any(outcome is False for _fact, outcome in outcomes)


@hypothesis_settings(max_examples=300, deadline=None, database=None)
@given(situation=situations, on=evaluation_days)
def test_every_derived_fact_is_unknown_or_of_its_kind(situation, on):
    """Facts are UNKNOWN or a plain value the rule operators can compare (no None, no "unknown")."""
    derived = facts.derive(situation, on)
    for name, value in derived.items():
        assert value is not None and value != "unknown" and value != "", (name, value)
    for name in (
        "within_call_up_age",
        "within_reserve_age",
        "military_contact",
        "medical_or_military_specialty",
        "refused_or_deserted_as_conscript",
        "deserted_as_professional_or_mobilised",
        "reservist_or_mobilisation_summons",
        "conscription_summons_from_2024",
        "stay_ends_within_90_days",
        "dutch_degree_within_3_years",
        "no_orientation_year",
    ):
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
        "R1": "P1",
        "R2": "P1",
        "R3": "P2",
        "R4": "P2",
        "R5": "P2",
        "R6": "P2",
        "R7": "P3",
        "R8": "P3",
        "R9": "P3",
        "R10": "P2",
    }
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


# Coverage that depends on the person's facts --------------------------------------------------


@pytest.mark.parametrize(
    "expires_in, entered_days_ago, covered",
    [
        (30, 10, "partly"),  # the stay goes on: a discretionary extension, capped at three months
        (-1, 60, "no"),  # the visa ended yesterday: nothing to extend any more
        (60, 95, "no"),  # the 90/180-day limit ended it before the visa's end
        (30, None, "unknown"),  # the entry date could put the end in the past
    ],
)
def test_r7_is_covered_partly_while_the_stay_lasts_and_not_once_it_has_ended(expires_in, entered_days_ago, covered):
    """The rule table: R7 "partly (discretionary extension, 3-month cap); no once the stay has ended"."""
    entered = None if entered_days_ago is None else LATER - timedelta(days=entered_days_ago)
    situation = replace(r7(), permit_expires_on=LATER + timedelta(days=expires_in), entry_on=entered, days_used=0)
    assert_applies(situation, LATER, "R7")
    assert engine.built_in_baseline().covers("R7", LATER, facts.derive(situation, LATER)) == (covered, date(2022, 1, 1))
    assert engine.built_in_baseline().covers("R7", LATER) == ("partly", date(2022, 1, 1))


def test_baseline_rejects_a_malformed_exception_to_its_coverage():
    """`unless` names a fact the rules know and a coverage value; anything else is refused."""
    for unless in ('{ fact = "height", covered = "no" }', '{ fact = "stay_has_ended", covered = "maybe" }', '"no"'):
        text = re.sub(r"(?m)^R7 = .*$", f'R7 = [{{ from = 2022-01-01, covered = "partly", unless = {unless} }}]', BASELINE_TOML)
        with pytest.raises(RuleFileError, match="R7"):
            engine.parse_baseline(text, RULE_IDS)
