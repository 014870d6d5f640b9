"""Intake: a new case from the form, with a duplicate check that tells a volunteer nothing (S21).

Whether the person is already known must not show in anything a volunteer gets back: page,
redirect, wording or timing. So a volunteer's intake does no lookup at all: the case is saved, and
a queued task (`check_for_duplicates`) looks for matches afterwards and puts a match silently in
the coordinators' duplicate queue. A coordinator, who may see every record anyway, is shown the
candidates during intake and decides. Someone probing whether a person is known would have to log
intakes that hit existing records far more often than colleagues do, and that is flagged.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from casework import audit
from casework.cases.operations import CaseRefused, create_case, duplicates_for, duplicates_of_case
from casework.clock import utcnow
from casework.extensions import db
from casework.i18n import _l
from casework.jobs import NotCommittedYet, prepare_queue, queue
from casework.models import AuditEvent, Case, User
from casework.permissions import can

CHECKED = "intake_checked_for_duplicates"
HIT_FLAG = "duplicate_hits_flagged"
#: The window over which a volunteer's rate of intakes that matched a record is compared.
WATCH_DAYS = 30
#: Fewer matches than this are never flagged: returning people are normal.
MIN_HITS = 3


@dataclass
class Intake:
    """A saved case, or (for a coordinator) the candidates to choose from before saving."""

    case: Case | None = None
    matches: list = field(default_factory=list)


def take_intake(data: dict, actor: User, duplicate_choice: str = "") -> Intake:
    if not can(actor, "cases.resolve_duplicates"):
        case = create_case(data, actor)
        prepare_queue()
        check_for_duplicates(case.id, actor.id)
        return Intake(case=case)
    matches = duplicates_for(data)
    if matches and not duplicate_choice:
        audit.record("duplicates_shown", actor=actor, detail=str(len(matches)))
        return Intake(matches=matches)
    existing = next((match.person for match in matches if match.person.id == duplicate_choice), None)
    if matches and duplicate_choice != "new" and existing is None:
        raise CaseRefused(_l("That person is not one of the possible matches."))
    return Intake(case=create_case(data, actor, existing_person=existing))


@queue.task(retries=10, retry_delay=3)
def check_for_duplicates(case_id: str, actor_id: int | None) -> None:
    """After a volunteer's intake has committed: flag a possible duplicate for coordinators, record
    the check (matched or not) for the hit-rate watch, and flag the volunteer if the rate is odd.
    An intake through an integration (no actor) is checked the same way; its token was audited
    with the intake, and there is no volunteer to watch."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotCommittedYet(case_id)
    actor = db.session.get(User, actor_id) if actor_id is not None else None
    matched = bool(duplicates_of_case(case))
    case.possible_duplicate = case.possible_duplicate or matched
    audit.record(CHECKED, actor=actor, case=case, detail="matched" if matched else None)
    db.session.flush()
    if actor is not None:
        watch_hit_rate(actor)
    db.session.commit()


def _rates(actor: User) -> tuple[int, int, int, int]:
    """(matched, logged) intakes for `actor` and for their colleagues over the window (intakes
    through an integration are no colleague's: people returning through a bot are not a baseline)."""
    since = utcnow() - timedelta(days=WATCH_DAYS)
    logged = select(func.count(), func.count().filter(AuditEvent.detail == "matched")).where(
        AuditEvent.action == CHECKED, AuditEvent.at >= since, AuditEvent.actor_id.is_not(None)
    )
    mine_total, mine_hits = db.session.execute(logged.where(AuditEvent.actor_id == actor.id)).one()
    all_total, all_hits = db.session.execute(logged).one()
    return mine_hits, mine_total, all_hits - mine_hits, all_total - mine_total


def watch_hit_rate(actor: User) -> None:
    """Flag (once a day) a volunteer whose intakes match existing records far more often than colleagues'."""
    hits, total, others_hits, others_total = _rates(actor)
    colleagues = others_hits / others_total if others_total else 0.0
    if hits < MIN_HITS or hits / total < 2 * colleagues + 0.1:
        return
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    already = db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.actor_id == actor.id, AuditEvent.action == HIT_FLAG, AuditEvent.at >= today)
    )
    if already is None:
        audit.record(HIT_FLAG, actor=actor, detail=f"{hits}/{total}")
