"""The age limits of domain.md's corrected "Facts behind the rules", read from reserve_limits.toml by
`casework.rules.limits`: conscription to the day before the 27th (30th from 2024) birthday and not
again for a man who turned 27 before 2024; the reserve by rank, category and, for soldiers, birth
year (the 2024-2027 transition); categories derived from age and rank, and a recorded one that
disagrees flagged; an age known only as an estimated birth year never decided by a guess; and the
deadlines, which read the same limits, agreeing with the rules for a grid of births, ranks and days."""

from dataclasses import replace
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from casework import clock
from casework.cases import deadlines
from casework.rules import engine, facts, limits
from casework.rules.facts import Situation

RANKS = ["soldier", "junior_officer", "major", "colonel", "senior_officer"]


def last_day(born: date, age: int) -> date:
    return limits.birthday(born, age) - timedelta(days=1)


# Conscription ------------------------------------------------------------------------------


@pytest.mark.parametrize("born", [date(1990, 4, 10), date(1996, 12, 31), date(1992, 2, 29)])
def test_before_2024_conscription_ends_the_day_before_the_27th_birthday(born):
    last = last_day(born, 27)
    assert last < date(2024, 1, 1)
    assert limits.conscription_last_day(born, last) == last
    assert limits.in_conscription_age(born, last)
    assert not limits.in_conscription_age(born, last + timedelta(days=1))


@pytest.mark.parametrize("born", [date(1997, 1, 1), date(1999, 7, 15), date(2004, 2, 29)])
def test_from_2024_conscription_ends_the_day_before_the_30th_birthday(born):
    last = last_day(born, 30)
    assert limits.in_conscription_age(born, last)
    assert not limits.in_conscription_age(born, last + timedelta(days=1))
    assert limits.in_conscription_age(born, limits.birthday(born, 18))
    assert not limits.in_conscription_age(born, limits.birthday(born, 18) - timedelta(days=1))


@pytest.mark.parametrize(
    "born, liable_in_2024",
    [
        (date(1996, 12, 31), False),  # turned 27 on 2023-12-31
        (date(1997, 1, 1), True),  # turns 27 on 2024-01-01
        (date(1995, 6, 1), False),
    ],
)
def test_a_man_who_turned_27_before_2024_is_not_conscripted_again(born, liable_in_2024):
    """On 1 January 2024 the limit rose to 30, but not for a man who had already turned 27."""
    assert limits.in_conscription_age(born, date(2024, 1, 1)) is liable_in_2024


def test_29_february_birthday_falls_on_28_february():
    assert limits.birthday(date(2000, 2, 29), 30) == date(2030, 2, 28)
    assert limits.age_on(date(2000, 2, 29), date(2030, 2, 27)) == 29
    assert limits.age_on(date(2000, 2, 29), date(2030, 2, 28)) == 30


# Reserve, categories and the transition --------------------------------------------------------

#: Category end birthdays per rank, before 2024 and from 2024 (for a man born after 1977).
CATEGORY_ENDS = {
    "soldier": ({"1": 35, "2": 45, "3": 50}, {"1": 40, "2": 50, "3": 55}),
    "junior_officer": ({"1": 50, "2": 55, "3": 60}, {"1": 50, "2": 55, "3": 60}),
    "major": ({"1": 55, "2": 60, "3": 65}, {"1": 55, "2": 60, "3": 65}),
    "colonel": ({"1": 60, "2": 65}, {"1": 60, "2": 65}),
    "senior_officer": ({"1": 65, "2": 70}, {"1": 65, "2": 70}),
}


@pytest.mark.parametrize("rank", RANKS)
def test_category_bands_by_rank_before_and_from_2024(rank):
    """The law's bands before and from 2024 (for a man born in 1980); walking the 2024 table for a man
    born in 2006, each category runs from the end of the one before to the day before its own end."""
    for on, ends in zip((date(2023, 12, 31), date(2024, 1, 1)), CATEGORY_ENDS[rank], strict=True):
        assert limits.category_ends("M", rank, date(1980, 5, 10), on) == ends
    born = date(2006, 5, 10)
    ends = CATEGORY_ENDS[rank][1]
    previous = 18
    for category, until in sorted(ends.items()):
        assert limits.category_on("M", rank, born, limits.birthday(born, previous)) == category
        assert limits.category_on("M", rank, born, last_day(born, until)) == category
        previous = until
    assert limits.category_on("M", rank, born, limits.birthday(born, previous)) is None


@pytest.mark.parametrize(
    "born_in, until",
    [(1973, 50), (1974, 51), (1975, 52), (1976, 53), (1977, 54), (1978, 55), (1990, 55)],
)
def test_soldiers_reserve_limit_by_birth_year(born_in, until):
    """Turning 50 in 2024: until 51; 2025: 52; 2026: 53; 2027: 54; from 2028: 55; turned 50 before
    2024: out at 50 (not re-enrolled)."""
    born = date(born_in, 8, 20)
    on = date(2026, 1, 1)
    assert limits.reserve_until("M", "soldier", born, on) == until
    situation = Situation(date_of_birth=born, sex="M", rank_group="soldier")
    the_last_day = last_day(born, until)
    if the_last_day >= date(2024, 1, 1):
        assert facts.within_reserve_age(situation, the_last_day) is True
    assert facts.within_reserve_age(situation, the_last_day + timedelta(days=1)) is False


def test_the_transition_keeps_category_2_for_a_soldier_born_in_1973():
    """The cap takes away category 3 only: a soldier born in 1973 is in category 2 from 40 to 49."""
    born = date(1973, 3, 1)
    assert limits.category_ends("M", "soldier", born, date(2024, 1, 1)) == {"1": 40, "2": 50}
    assert limits.category_on("M", "soldier", born, date(2022, 3, 1)) == "3"  # 49 under the old table
    assert limits.category_on("M", "soldier", born, date(2024, 1, 1)) is None  # 50: out


def test_a_rank_of_none_is_a_private_soldier_and_an_unrecorded_rank_has_no_limit():
    assert limits.rank_for_limits("none") == "soldier"
    assert limits.rank_for_limits(None) is None
    assert limits.rank_for_limits("unknown") is None


@pytest.mark.parametrize("rank, until", [("none", 45), ("soldier", 45), ("junior_officer", 50), ("senior_officer", 50)])
def test_women_are_category_3_officers_to_50_others_to_45(rank, until):
    born = date(1980, 5, 10)
    rank = limits.rank_for_limits(rank)
    assert limits.category_ends("F", rank, born, date(2025, 1, 1)) == {"3": until}
    assert limits.category_on("F", rank, born, date(2000, 1, 1)) == "3"


# A recorded category that disagrees ---------------------------------------------------------


def case_with(category, age=42, rank="soldier", sex="M", estimated=False, on=date(2025, 6, 15)):
    born = on.replace(year=on.year - age)
    person = SimpleNamespace(
        date_of_birth=None if estimated else born, birth_year_estimated=born.year if estimated else None, sex=sex, erased=False
    )
    fields = {name: None for name in Situation.__dataclass_fields__}
    return SimpleNamespace(**{**fields, "person": person, "rank_group": rank, "reserve_category": category})


def test_a_soldier_of_42_in_category_1_is_flagged(app):
    """Category 1 of soldiers ends at 40: a soldier of 42 is in category 2, and the recorded 1 is a
    likely data error."""
    with app.test_request_context():
        message = facts.category_conflict(case_with("1"), date(2025, 6, 15))
    assert message and "1" in message and "2" in message


@pytest.mark.parametrize(
    "case",
    [
        case_with("2"),  # agrees
        case_with(None),  # nothing recorded
        case_with("unknown"),
        case_with("1", rank=None, age=45),  # the rank decides between 1 (officers) and 2 (soldiers)
        case_with("1", age=40, estimated=True),  # turned 40 in 2025 or not yet: category 1 or 2
    ],
)
def test_no_flag_without_a_recorded_category_that_surely_disagrees(app, case):
    with app.test_request_context():
        assert facts.category_conflict(case, date(2025, 6, 15)) is None


def test_a_category_recorded_past_the_reserve_age_is_flagged(app):
    with app.test_request_context():
        message = facts.category_conflict(case_with("3", age=56), date(2025, 6, 15))
    assert message and "outside" in message


# Estimated birth years -----------------------------------------------------------------------


def test_an_estimated_birth_year_decides_only_far_from_a_limit():
    """ "About 25" (born in 2000): R1 applies whatever day of that year he was born. Born in 1997 and
    evaluated on 2025-06-15 he is 27 or 28, at the edge of R4's band 28-35: R4 asks for the age
    instead of deciding. Born in 1993 (31 or 32) it applies."""
    on = date(2025, 6, 15)
    r1 = Situation(birth_year_estimated=2000, sex="M", location="russia", contact_kinds="visit")
    assert [(f.rule.id, f.applies) for f in engine.evaluate(r1, on)] == [("R1", True)]
    r4 = Situation(
        birth_year_estimated=1997, sex="M", location="netherlands", dutch_status="asylum_pending", military_situation="reservist"
    )
    r4_finding = {f.rule.id: f for f in engine.evaluate(r4, on)}["R4"]
    assert not r4_finding.applies and r4_finding.needs == ["age"]
    assert {f.rule.id: f for f in engine.evaluate(replace(r4, birth_year_estimated=1993), on)}["R4"].applies


def outcome(situation: Situation, on: date, rule_id: str):
    finding = next((f for f in engine.evaluate(situation, on) if f.rule.id == rule_id), None)
    return "absent" if finding is None else "applies" if finding.applies else "needs"


situations_with_an_estimated_year = st.builds(
    Situation,
    birth_year_estimated=st.integers(1950, 2008),
    sex=st.sampled_from(["M", "F"]),
    location=st.sampled_from(["russia", "netherlands"]),
    dutch_status=st.sampled_from(["asylum_pending", "schengen_visa", "student"]),
    military_situation=st.sampled_from(["reservist", "never_served", "deserted_conscript"]),
    rank_group=st.sampled_from(["soldier", "major", "none", None]),
    contact_kinds=st.sampled_from(["summons_paper", "none"]),
    summons_purpose=st.sampled_from(["conscription", "mobilisation"]),
    summons_posted_on=st.dates(date(2023, 1, 1), date(2026, 1, 1)),
    permit_expires_on=st.dates(date(2025, 1, 1), date(2027, 1, 1)),
    asylum_applied_on=st.dates(date(2020, 1, 1), date(2026, 1, 1)),
    action=st.sampled_from(["refused_conscription", "fears_call_up"]),
    profession_class=st.just("medical"),
)


@hypothesis_settings(max_examples=300, deadline=None, database=None)
@given(situation=situations_with_an_estimated_year, on=st.dates(date(2022, 1, 1), date(2030, 12, 31)), day=st.integers(0, 364))
def test_an_estimated_birth_year_is_never_decided_by_a_guess(situation, on, day):
    """Whenever a rule is decided (applies or left out) for a birth year, it is decided the same way
    for every date of birth in that year: an uncertain age makes the rule ask, never guess."""
    exact = replace(
        situation, date_of_birth=date(situation.birth_year_estimated, 1, 1) + timedelta(days=day), birth_year_estimated=None
    )
    if exact.date_of_birth.year != situation.birth_year_estimated:
        return
    for rule in engine.rules():
        estimated = outcome(situation, on, rule.id)
        if estimated != "needs":
            assert outcome(exact, on, rule.id) == estimated, (rule.id, exact.date_of_birth)


# The engine never guesses ------------------------------------------------------------------


FIELDS_AND_VALUES = {
    "date_of_birth": date(1990, 5, 5),
    "sex": "M",
    "location": "netherlands",
    "dutch_status": "asylum_pending",
    "military_situation": "reservist",
    "rank_group": "soldier",
    "contact_kinds": "summons_paper",
    "summons_purpose": "mobilisation",
    "summons_posted_on": date(2024, 3, 1),
    "action": "evaded_mobilisation",
    "asylum_applied_on": date(2024, 5, 1),
}


@hypothesis_settings(max_examples=300, deadline=None, database=None)
@given(known=st.sets(st.sampled_from(sorted(FIELDS_AND_VALUES))), on=st.dates(date(2022, 1, 1), date(2030, 12, 31)))
def test_an_unknown_fact_gives_needs_information_never_a_decision_it_could_change(known, on):
    """With only some fields recorded, a rule that applies keeps applying, and a rule left out stays
    left out, once every field is recorded: an unknown fact can only make a rule ask."""
    full = Situation(**FIELDS_AND_VALUES)
    partial = Situation(**{name: FIELDS_AND_VALUES[name] for name in known})
    for rule in engine.rules():
        decided = outcome(partial, on, rule.id)
        if decided != "needs":
            assert outcome(full, on, rule.id) == decided, (rule.id, sorted(known))


# Deadlines and rules agree -----------------------------------------------------------------


def rules_say(born: date, sex: str, rank: str, on: date) -> tuple[bool, bool]:
    """(within conscription age, within the reserve age) as the rules' facts see them on `on`."""
    situation = Situation(date_of_birth=born, sex=sex, rank_group=rank)
    return limits.in_conscription_age(born, on), facts.within_reserve_age(situation, on)


def deadlines_say(born: date, sex: str, rank: str, on: date) -> dict:
    return dict(limits.age_deadlines(born, sex, rank, on))


BIRTHS = [
    date(1960, 1, 1),
    date(1971, 11, 30),
    date(1973, 12, 31),
    date(1974, 1, 1),
    date(1975, 6, 15),
    date(1976, 2, 29),
    date(1977, 12, 31),
    date(1978, 1, 1),
    date(1985, 3, 3),
    date(1996, 12, 31),
    date(1997, 1, 1),
    date(2000, 2, 29),
    date(2006, 7, 7),
]
DAYS = [
    date(2022, 6, 29),
    date(2023, 12, 31),
    date(2024, 1, 1),
    date(2025, 3, 1),
    date(2027, 12, 31),
    date(2028, 1, 1),
    date(2035, 5, 5),
]


@pytest.mark.parametrize("rank", [*RANKS, "none"])
@pytest.mark.parametrize("sex", ["M", "F"])
def test_deadlines_and_rules_agree_on_a_grid_of_births_ranks_and_days(sex, rank):
    """For every birth, rank and day: the rules count a person within conscription (reserve) age
    exactly while the day is between the 18th birthday and the deadline's last day."""
    for born in BIRTHS:
        for on in DAYS:
            found = deadlines_say(born, sex, rank, on)
            conscription, reserve = rules_say(born, sex, rank, on)
            adult = on >= limits.birthday(born, 18)
            if sex == "M":
                assert conscription == (adult and on <= found["conscription_age_end"]), (born, on)
            assert reserve == (adult and on <= found["reserve_age_end"]), (born, rank, on)


@hypothesis_settings(max_examples=400, deadline=None, database=None)
@given(
    born=st.dates(date(1940, 1, 1), date(2010, 12, 31)),
    on=st.dates(date(2020, 1, 1), date(2040, 12, 31)),
    sex=st.sampled_from(["M", "F"]),
    rank=st.sampled_from([*RANKS, "none"]),
)
def test_deadlines_and_rules_agree_for_any_birth_rank_and_day(born, on, sex, rank):
    found = deadlines_say(born, sex, rank, on)
    conscription, reserve = rules_say(born, sex, rank, on)
    adult = on >= limits.birthday(born, 18)
    if sex == "M":
        assert conscription == (adult and on <= found["conscription_age_end"])
    assert reserve == (adult and on <= found["reserve_age_end"])


def test_the_deadlines_module_keeps_no_copy_of_the_limits():
    """One source: deadlines.py reads casework.rules.limits and holds no table of its own."""
    assert not hasattr(deadlines, "RESERVE_LIMITS") and not hasattr(deadlines, "CONSCRIPTION_LIMIT")
    case = SimpleNamespace(
        permit_expires_on=None,
        dutch_status=None,
        degree_completed_on=None,
        contact_kinds=None,
        summons_posted_on=None,
        summons_appear_on=None,
        rank_group="soldier",
    )
    born = date(1974, 4, 4)
    assert dict(deadlines.compute(case, born, "M")) == deadlines_say(born, "M", "soldier", clock.today())
