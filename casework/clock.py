"""One notion of now and of today.

Timestamps are stored in UTC without a zone. "Today" is the date in the foundation's time zone
(Europe/Amsterdam), not the server's: a deadline that falls due at midnight in Utrecht must not wait
for midnight in whatever zone the server happens to run in.
"""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

FOUNDATION_ZONE = ZoneInfo("Europe/Amsterdam")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def today() -> date:
    return datetime.now(FOUNDATION_ZONE).date()
