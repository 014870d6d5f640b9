"""What the API does: take a request in as a new unassigned case, and list published releases.

An intake through a token is a volunteer's intake without the volunteer: the same rows
(`cases.operations.open_case`), the same queued duplicate check, which tells the caller nothing
(`cases.intake.check_for_duplicates`), no assignee (a coordinator assigns it from the unassigned
queue), and an audit row that names the token instead of an account.
"""

from datetime import datetime

from sqlalchemy import select

from casework import audit
from casework.cases.intake import check_for_duplicates
from casework.cases.operations import open_case
from casework.extensions import db
from casework.jobs import prepare_queue
from casework.models import ApiConsent, ApiToken, Case, Release


def actor_detail(token: ApiToken) -> str:
    """How the audit trail records a token as the actor (audit rows have no token column)."""
    return f"token:{token.id}"


def take_intake(data: dict, version: str, given_at: datetime, token: ApiToken) -> Case:
    """`data` is the intake form's, validated; consent was given through `token`'s channel, to the
    text `version`, at `given_at` (UTC)."""
    case, consent = open_case(data, None)
    db.session.add(ApiConsent(consent=consent, token=token, text_version=version, given_at=given_at))
    audit.record("case_created", case=case, detail=actor_detail(token))
    prepare_queue()
    check_for_duplicates(case.id, None)
    return case


def published_releases() -> list[Release]:
    return db.session.scalars(select(Release).where(Release.status == "published").order_by(Release.period.desc())).all()


def published_release(period: str) -> Release | None:
    return db.session.scalar(select(Release).where(Release.period == period, Release.status == "published"))
