"""What to ask the person next: the recorded facts whose answer would let the rules decide a proposal.

A rule that cannot decide names the derived facts it lacks (CaseTag.needs); each derived fact comes
from a few fields (facts.SOURCES). The questions are those fields still empty, each with the rules
it would settle, in the order the rules come. An estimated birth year counts as an answer that is
not precise enough: the date of birth is asked for when a rule needs the age.
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, CaseTag
from casework.rules.facts import SOURCES


@dataclass
class Question:
    field: str
    #: (rule id, proposal) of each undecided tag the answer would settle.
    rules: list[tuple[str, str]] = field(default_factory=list)


def _empty(case: Case, name: str) -> bool:
    value = getattr(case, name) if hasattr(Case, name) else getattr(case.person, name, None)
    return value in (None, "", "unknown")


def questions(case: Case, tags: list[CaseTag]) -> list[Question]:
    """The empty fields that would settle an undecided proposal tag of `case`, each once."""
    found: dict[str, Question] = {}
    for tag in tags:
        if tag.decision is not None:
            continue
        for fact in (tag.needs or "").split(","):
            for name in SOURCES.get(fact, ()):
                if _empty(case, name):
                    question = found.setdefault(name, Question(name))
                    if (tag.rule_id, tag.proposal) not in question.rules:
                        question.rules.append((tag.rule_id, tag.proposal))
    return list(found.values())


def questions_by_case(cases: list[Case]) -> dict[str, list[Question]]:
    """`questions` for many cases, their tags read in one statement (the missing-information queue)."""
    tags: dict[str, list[CaseTag]] = {case.id: [] for case in cases}
    for tag in db.session.scalars(select(CaseTag).where(CaseTag.case_id.in_(list(tags)), CaseTag.needs != "")):
        tags[tag.case_id].append(tag)
    return {case.id: questions(case, tags[case.id]) for case in cases}
