"""Where a consent row came from when no volunteer took it down: an integration's intake, or a
spreadsheet a coordinator imported and vouched for.

The consent row says only "other" or "imported"; the case page and the person's access export also
show the channel's token, the consent text's version and the time the person agreed, or the source
the coordinator named for the earlier consent, so that anyone checking the consent can trace it.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, Consent, Person
from casework.models.api_token import ApiConsent
from casework.models.imports import ImportRow

#: How a channel's intake records the consent it carries (the person agreed on the channel's own form).
CHANNEL_METHOD = "other"


@dataclass(frozen=True)
class ThroughChannel:
    token_name: str
    text_version: str
    given_at: datetime


@dataclass(frozen=True)
class Imported:
    #: Where the coordinator said the earlier consent is recorded (decrypted with the person's key).
    sources: tuple[str, ...]


def origins(person: Person, rows: list[Consent]) -> dict[str, ThroughChannel | Imported]:
    """For each of `rows` that came through a channel or an import, where it came from.

    At most two statements, and none for what no row can be: only rows recorded as CHANNEL_METHOD
    can have come through a channel."""
    found: dict[str, ThroughChannel | Imported] = {}
    other = [row.id for row in rows if row.method == CHANNEL_METHOD]
    if other:
        found.update(_through_channels(other))
    imported = [row for row in rows if row.method == "imported"]
    if imported and not person.erased:
        sources = tuple(
            dict.fromkeys(
                row.source
                for row in db.session.scalars(select(ImportRow).join(ImportRow.case).where(Case.person_id == person.id))
                if row.source
            )
        )
        found.update({row.id: Imported(sources) for row in imported})
    return found


def _through_channels(consent_ids: list[str]) -> dict[str, ThroughChannel]:
    return {
        through.consent_id: ThroughChannel(through.token.name, through.text_version, through.given_at)
        for through in db.session.scalars(select(ApiConsent).where(ApiConsent.consent_id.in_(consent_ids)))
    }
