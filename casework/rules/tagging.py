"""Keeping every case's proposal tags current: on each save, and for all open cases on demand."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from casework import audit, clock
from casework.batches import chunks, run_in_batches
from casework.choices import OPEN_STATUSES
from casework.clock import utcnow
from casework.extensions import db
from casework.models import Case, CaseTag, PolicyBaseline
from casework.rules import engine
from casework.rules.facts import Situation, derive


def baselines() -> list[engine.Baseline]:
    """The built-in baseline and every uploaded one, oldest first."""
    found = [engine.built_in_baseline()]
    for row in db.session.scalars(select(PolicyBaseline).order_by(PolicyBaseline.effective_from, PolicyBaseline.id)):
        found.append(engine.parse_baseline(row.content, engine.rules_by_id(), f"baseline {row.version}", strict=False))
    return sorted(found, key=lambda baseline: baseline.effective_from)  # stable: later uploads win ties


def baseline_on(day: date, known: list[engine.Baseline] | None = None) -> engine.Baseline:
    """The baseline in force on `day`: the latest that took effect on or before it (else the first)."""
    known = known or baselines()
    in_force = [baseline for baseline in known if baseline.effective_from <= day]
    return in_force[-1] if in_force else known[0]


@dataclass
class Change:
    """What a re-evaluation did to tags, as counts. `why` counts each tag that changed by (rule id,
    state before, state after): no case, person or date, so it may be printed for a key holder."""

    added: int = 0
    removed: int = 0
    changed: int = 0
    why: Counter = field(default_factory=Counter)

    def add(self, other: "Change") -> None:
        self.added, self.removed, self.changed = (
            self.added + other.added,
            self.removed + other.removed,
            self.changed + other.changed,
        )
        self.why.update(other.why)


def _state(suggested: bool, needs: str, coverage: str | None) -> str:
    """A tag's outcome in words, for the re-evaluation report."""
    outcome = "applies" if suggested else f"needs {needs}" if needs else "decided by a person only"
    return f"{outcome}, covered: {coverage}"


def tag_case(case: Case, on: date | None = None, baseline: engine.Baseline | None = None) -> Change:
    """Evaluate the case and store its tags; a person's decisions are kept and re-settled.

    An erased person's case keeps the tags it had: the facts to re-evaluate it are gone for good.
    """
    if case.person.erased:
        return Change()
    on = on or clock.today()
    baseline = baseline or baseline_on(on)
    situation = Situation.of(case)
    findings = {finding.rule.id: finding for finding in engine.evaluate(situation, on)}
    known = derive(situation, on)
    existing = {tag.rule_id: tag for tag in db.session.scalars(select(CaseTag).where(CaseTag.case_id == case.id))}
    change = Change()
    for rule_id in sorted(set(findings) | set(existing)):
        finding, tag = findings.get(rule_id), existing.get(rule_id)
        if finding is None and (tag is None or tag.decision is None):
            db.session.delete(tag)
            change.removed += 1
            change.why[rule_id, _state(tag.suggested, tag.needs, tag.coverage), "left out"] += 1
            continue
        if tag is None:
            tag = CaseTag(case=case, rule_id=rule_id, proposal=finding.rule.proposal)
            db.session.add(tag)
            change.added += 1
        before = (tag.suggested, tag.needs, tag.coverage, tag.holds, tag.left_out)
        was = _state(tag.suggested, tag.needs, tag.coverage) if rule_id in existing else "none"
        tag.suggested = bool(finding and finding.applies)
        tag.needs = ",".join(finding.needs) if finding else ""
        tag.coverage, tag.covered_since = baseline.covers(rule_id, on, known)
        tag.baseline_version, tag.evaluated_on = baseline.version, on
        tag.settle()
        if rule_id in existing and before != (tag.suggested, tag.needs, tag.coverage, tag.holds, tag.left_out):
            change.changed += 1
        if was != (now := _state(tag.suggested, tag.needs, tag.coverage)):
            change.why[rule_id, was, now] += 1
    return change


def decide(case: Case, rule_id: str, decision: str, reason: str, actor) -> CaseTag:
    """A person confirms, rejects or adds a rule's tag, with a reason; kept through re-evaluation."""
    tag = db.session.scalar(select(CaseTag).where(CaseTag.case_id == case.id, CaseTag.rule_id == rule_id))
    if tag is None:
        rule = engine.rules_by_id()[rule_id]
        today = clock.today()
        baseline = baseline_on(today)
        known = None if case.person.erased else derive(Situation.of(case), today)
        coverage, since = baseline.covers(rule_id, today, known)
        tag = CaseTag(
            case=case,
            rule_id=rule_id,
            proposal=rule.proposal,
            baseline_version=baseline.version,
            evaluated_on=today,
            coverage=coverage,
            covered_since=since,
        )
        db.session.add(tag)
    tag.decision, tag.reason, tag.decided_by_id, tag.decided_at = decision, reason, actor.id, utcnow()
    tag.settle()
    audit.record("tag_decided", actor=actor, case=case, detail=f"{rule_id}:{decision}")
    return tag


def reevaluate_open_cases(
    on: date | None = None, batch: int = 200, label: str | None = None, progress=None
) -> tuple[int, Change, engine.Baseline]:
    """Re-tag every open case on `on` (today), a batch per transaction; a progress bar when `label`
    is given, `progress(done)` after each batch otherwise."""
    on = on or clock.today()
    baseline = baseline_on(on)
    ids = db.session.scalars(select(Case.id).where(Case.status.in_(OPEN_STATUSES)).order_by(Case.id)).all()
    total = Change()

    def retag(case_id: str) -> None:
        total.add(tag_case(db.session.get(Case, case_id), on, baseline))

    run_in_batches(chunks(ids, batch), retag, total=len(ids), label=label, progress=progress)
    return len(ids), total, baseline


def open_case_count() -> int:
    return db.session.scalar(select(func.count(Case.id)).where(Case.status.in_(OPEN_STATUSES)))


def load_baseline(content: str, actor) -> PolicyBaseline:
    """Check an uploaded baseline against the rule table and keep it; it takes effect from its date."""
    baseline = engine.parse_baseline(content, engine.rules_by_id(), "uploaded baseline")
    known = {known.version for known in baselines()}
    if baseline.version in known:
        raise engine.RuleFileError(f"uploaded baseline: version {baseline.version} exists already; give it a new version")
    row = PolicyBaseline(
        version=baseline.version,
        effective_from=baseline.effective_from,
        description=baseline.description["en"],
        content=content,
        uploaded_by_id=actor.id if actor else None,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("baseline_loaded", actor=actor, detail=baseline.version)
    return row
