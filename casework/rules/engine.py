"""Reads the rule table and policy baselines, checks them, and evaluates a case against them.

A rule applies when every condition holds on the evaluation date. When no condition fails but some
fact is unknown, the result says which facts are needed instead of guessing. A baseline says, for
each rule, whether the policy in force covers such a person on a given date.
"""

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import pairwise
from pathlib import Path

from casework.config import LOCALES
from casework.proposals import PROPOSALS
from casework.rules.facts import FACTS, UNKNOWN, Situation, derive_each

HERE = Path(__file__).resolve().parent
COVERAGE = ("yes", "partly", "no", "unknown")
OPERATORS = {
    "eq": lambda fact, value: fact == value,
    "ne": lambda fact, value: fact != value,
    "in": lambda fact, value: fact in value,
    "ge": lambda fact, value: fact >= value,
    "le": lambda fact, value: fact <= value,
    "between": lambda fact, value: value[0] <= fact <= value[1],
}


class RuleFileError(ValueError):
    """A rule or baseline file is malformed; the message says where and what."""


@dataclass(frozen=True)
class Condition:
    fact: str
    op: str
    value: object

    def holds(self, facts: dict):
        """True, False, or UNKNOWN when the fact is unknown."""
        known = facts[self.fact]
        return UNKNOWN if known is UNKNOWN else OPERATORS[self.op](known, self.value)


@dataclass(frozen=True)
class Rule:
    id: str
    proposal: str
    conditions: tuple[Condition, ...]
    explanation: dict[str, str]


@dataclass(frozen=True)
class Period:
    start: date
    end: date | None
    covered: str
    #: (fact, coverage): when the fact is true for the person, the coverage is this instead (the
    #: policy covers a stay being extended, not one that has ended); UNKNOWN gives "unknown".
    unless: tuple[str, str] | None = None

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Baseline:
    version: str
    effective_from: date
    #: By language; English is always there.
    description: dict[str, str]
    coverage: dict[str, tuple[Period, ...]]

    def description_in(self, locale: str) -> str:
        return self.description.get(locale) or self.description["en"]

    def covers(self, rule_id: str, day: date, known: dict | None = None) -> tuple[str, date | None]:
        """("yes"/"partly"/"no"/"unknown", the date that state began) for a rule on a day; with the
        person's derived facts `known`, a period's exception applies."""
        for period in self.coverage.get(rule_id, ()):
            if period.contains(day):
                if period.unless is None or known is None:
                    return period.covered, period.start
                fact, covered = period.unless
                value = known[fact]
                return ("unknown" if value is UNKNOWN else covered if value is True else period.covered), period.start
        return "no", None


def _fail(source: str, where: str, what: str):
    raise RuleFileError(f"{source}: {where}: {what}")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _plain_date(value) -> bool:
    """A TOML date, not a date-time (which Python also counts as a date)."""
    return type(value) is date


def parse_rules(text: str, source: str = "rules.toml") -> tuple[Rule, ...]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(f"{source}: not valid TOML ({exc})") from None
    rules, seen = [], set()
    for number, entry in enumerate(document.get("rule", []), start=1):
        where = f"rule {entry.get('id', number)}"
        if not isinstance(entry.get("id"), str) or entry["id"] in seen:
            _fail(source, where, "every rule needs a unique id")
        if entry.get("proposal") not in PROPOSALS:
            _fail(source, where, f"proposal must be one of {', '.join(PROPOSALS)}")
        conditions = []
        for condition in entry.get("conditions", []):
            fact, op, value = condition.get("fact"), condition.get("op"), condition.get("value")
            if fact not in FACTS:
                _fail(source, where, f"unknown fact {fact!r}")
            if op not in OPERATORS:
                _fail(source, where, f"unknown operator {op!r} (use {', '.join(OPERATORS)})")
            if op == "between" and not (
                isinstance(value, list) and len(value) == 2 and all(map(_number, value)) and value[0] <= value[1]
            ):
                _fail(source, where, f"'between' needs [low, high] numbers with low <= high, not {value!r}")
            if op in ("ge", "le") and not _number(value):
                _fail(source, where, f"'{op}' needs a number, not {value!r}")
            if op == "in" and not isinstance(value, list):
                _fail(source, where, "'in' needs a list")
            conditions.append(Condition(fact, op, value))
        if not conditions:
            _fail(source, where, "a rule needs at least one condition")
        explanation = entry.get("explanation", {})
        missing = [language for language in LOCALES if not explanation.get(language)]
        if missing:
            _fail(source, where, f"explanation missing in {', '.join(missing)}")
        seen.add(entry["id"])
        rules.append(Rule(entry["id"], entry["proposal"], tuple(conditions), dict(explanation)))
    if not rules:
        raise RuleFileError(f"{source}: no rules")
    return tuple(rules)


def parse_baseline(text: str, rule_ids, source: str = "baseline", *, strict: bool = True) -> Baseline:
    """Check a baseline file. `strict=False` reads a stored one: a rule added to the table since it
    was loaded counts as "unknown" there, instead of making every stored baseline unreadable."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(f"{source}: not valid TOML ({exc})") from None
    version, start = document.get("version"), document.get("effective_from")
    if not isinstance(version, str) or not version.strip():
        _fail(source, "header", "needs a version")
    if not _plain_date(start):
        _fail(source, "header", "needs effective_from as a date, e.g. 2025-01-01")
    table = document.get("coverage", {})
    if not isinstance(table, dict):
        _fail(source, "coverage", "needs a [coverage] table with one list of ranges per rule")
    coverage = {}
    for rule_id, periods in table.items():
        if rule_id not in rule_ids:
            _fail(source, f"coverage of {rule_id}", "no such rule")
        if not isinstance(periods, list) or not all(isinstance(period, dict) for period in periods):
            _fail(source, f"coverage of {rule_id}", 'needs a list of ranges like { from = 2024-01-01, covered = "no" }')
        parsed = []
        for period in periods:
            begin, end, covered = period.get("from"), period.get("to"), period.get("covered")
            if not _plain_date(begin) or (end is not None and (not _plain_date(end) or end < begin)):
                _fail(source, f"coverage of {rule_id}", f"malformed date range {period!r}")
            if covered not in COVERAGE:
                _fail(source, f"coverage of {rule_id}", f"covered must be one of {', '.join(COVERAGE)}")
            parsed.append(Period(begin, end, covered, _unless(period.get("unless"), source, rule_id)))
        parsed.sort(key=lambda period: period.start)
        for earlier, later in pairwise(parsed):
            if earlier.end is None or earlier.end >= later.start:
                _fail(source, f"coverage of {rule_id}", f"ranges from {earlier.start} and {later.start} overlap")
        coverage[rule_id] = tuple(parsed)
    missing = sorted(set(rule_ids) - set(coverage))
    if missing and strict:
        _fail(source, "coverage", f"no coverage for {', '.join(missing)}")
    for rule_id in missing:
        coverage[rule_id] = (Period(date.min, None, "unknown"),)
    return Baseline(version.strip(), start, _description(document.get("description", ""), source), coverage)


def _unless(value, source: str, rule_id: str) -> tuple[str, str] | None:
    """A range's exception, { fact = "...", covered = "..." }: the coverage when that fact is true."""
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("fact") not in FACTS or value.get("covered") not in COVERAGE:
        _fail(
            source,
            f"coverage of {rule_id}",
            f'"unless" needs {{ fact = <a fact>, covered = <{"/".join(COVERAGE)}> }}, not {value!r}',
        )
    return value["fact"], value["covered"]


def _description(value, source: str) -> dict[str, str]:
    """One text (taken as English), or a table of texts by language with at least English."""
    if isinstance(value, str):
        return {"en": value}
    if (
        isinstance(value, dict)
        and value.get("en")
        and set(value) <= set(LOCALES)
        and all(isinstance(text, str) for text in value.values())
    ):
        return dict(value)
    _fail(source, "description", f"give one text, or a table of texts by language ({', '.join(LOCALES)}) with at least en")


@cache
def rules() -> tuple[Rule, ...]:
    return parse_rules((HERE / "rules.toml").read_text(), "casework/rules/rules.toml")


def rules_by_id() -> dict[str, Rule]:
    return {rule.id: rule for rule in rules()}


@cache
def built_in_baseline() -> Baseline:
    path = HERE / "baselines" / "2022-06-29.toml"
    return parse_baseline(path.read_text(), rules_by_id(), f"casework/rules/baselines/{path.name}")


@dataclass
class Finding:
    rule: Rule
    applies: bool
    #: Facts whose absence keeps the rule from deciding (empty when `applies`).
    needs: list[str] = field(default_factory=list)


def _outcome(condition: Condition, each: list[dict]):
    """A condition's outcome when every possible situation gives the same one, else UNKNOWN."""
    outcomes = [condition.holds(facts) for facts in each]
    return outcomes[0] if all(outcome is outcomes[0] for outcome in outcomes) else UNKNOWN


def evaluate(situation: Situation, on: date) -> list[Finding]:
    """Rules that apply, and rules that would need information to decide; the rest are left out."""
    each = derive_each(situation, on)
    findings = []
    for rule in rules():
        outcomes = [(condition, _outcome(condition, each)) for condition in rule.conditions]
        if any(outcome is False for _condition, outcome in outcomes):
            continue
        unknown = [condition.fact for condition, outcome in outcomes if outcome is UNKNOWN]
        findings.append(Finding(rule, applies=not unknown, needs=unknown))
    return findings
