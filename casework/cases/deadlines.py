"""Deadlines computed from a case's facts (domain.md, "Deadlines the system computes and shows").

Recomputed whenever a case is saved and by the daily `deadlines refresh`. A deadline is often the
person's own encrypted date moved by a fixed step (date of birth + 31 years, permit expiry, date to
appear + 20 days), so the dates are stored encrypted with the person's data key (S20). What stays
plaintext is the case's coarse band (`band`), which says only in which of a few wide windows the
case's most urgent deadline fell on the day it was computed; docs/data-inventory.md says what that
reveals.
"""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from casework import clock
from casework.choices import PERMIT_STATUSES
from casework.i18n import _l
from casework.rules import limits
from casework.rules.facts import SHORT_STAY_STATUSES, short_stay_last_day

KINDS = {
    "permit_expiry": _l("Visa or permit expires"),
    "short_stay_end": _l("Short stay ends (90/180-day rule)"),
    "extension_window": _l("Extension window opens (3 months before expiry)"),
    "orientation_year_end": _l("Last day to apply for the orientation year"),
    "summons_served": _l("Summons deemed served"),
    "sanctions": _l("Sanctions start (20 days after the missed date)"),
    "conscription_age_end": _l("Last day of conscription age"),
    "reserve_age_end": _l("Last day within the reserve age limit"),
}


ACT_BEFORE, WINDOW, INFORMATION = "act_before", "window", "information"

#: What each kind of deadline is: a date to act before (it can be missed), a window that opens, or a
#: date to know (never missed). casework/cases/agenda.py reads them.
BEHAVIOUR = {
    "permit_expiry": ACT_BEFORE,
    "short_stay_end": ACT_BEFORE,
    "extension_window": WINDOW,
    "orientation_year_end": ACT_BEFORE,
    "summons_served": ACT_BEFORE,
    "sanctions": ACT_BEFORE,
    "conscription_age_end": INFORMATION,
    "reserve_age_end": INFORMATION,
}


def can_be_missed(kind: str) -> bool:
    return BEHAVIOUR.get(kind, ACT_BEFORE) == ACT_BEFORE


def compute(case, date_of_birth: date | None, sex: str | None) -> list[tuple[str, date]]:
    """Every deadline the case's known facts give, as (kind, date), earliest first."""
    found: list[tuple[str, date]] = []
    if case.permit_expires_on:
        found.append(("permit_expiry", case.permit_expires_on))
        if case.dutch_status in PERMIT_STATUSES:
            found.append(("extension_window", case.permit_expires_on - relativedelta(months=3)))
    # A stay can end before the visa's printed end; an extension must be asked before it ends. Only
    # with both the entry and the days used: without them the end could be any of 90 days.
    if case.dutch_status in SHORT_STAY_STATUSES and (stay_ends := short_stay_last_day(case.entry_on, case.days_used)):
        found.append(("short_stay_end", stay_ends))
    if case.degree_completed_on:
        found.append(("orientation_year_end", case.degree_completed_on + relativedelta(years=3)))
    summonses = {"summons_electronic", "summons_register"} & set((case.contact_kinds or "").split(","))
    if case.summons_posted_on and summonses:
        delay = timedelta(0) if "summons_electronic" in summonses else timedelta(days=7)
        found.append(("summons_served", case.summons_posted_on + delay))
    if case.summons_appear_on:
        found.append(("sanctions", case.summons_appear_on + timedelta(days=20)))
    if date_of_birth:
        found.extend(limits.age_deadlines(date_of_birth, sex, case.rank_group, clock.today()))
    return sorted(found, key=lambda item: item[1])


#: How far back an overdue deadline still needs action: the "Due soon" list shows it for this long.
OVERDUE_DAYS = 90
#: A case's band on the day `d` it was computed: 0 when a deadline falls within
#: [d - OVERDUE_DAYS, d + BAND_LIMITS[0]], 1 when the earliest deadline from d - OVERDUE_DAYS on falls
#: by d + BAND_LIMITS[1], 2 when it falls later, None when there is none. Wide on purpose: the band is
#: plaintext, so each window must stay far coarser than the dates it stands for.
BAND_LIMITS = (31, 92)
LATER = len(BAND_LIMITS)
#: Each case's band edges lie later (and its overdue edge earlier) by a secret number of days below
#: this, fixed per case (cases/due.py: a keyed hash of its id). Without it, a series of daily backups
#: would give the exact date of a case's deadline: the day it entered band 0, plus 31.
EDGE_JITTER_DAYS = 28


def band(found: list[tuple[str, date]], today: date, offsets: tuple[int, int] = (0, 0)) -> int | None:
    """The coarse band of deadlines `found`, as of `today` (see BAND_LIMITS), with the case's edges
    moved by `offsets` (later, earlier) days. Moving them outwards keeps every promise the lists rely
    on: band b > 0 still means no deadline from today - OVERDUE_DAYS to today + BAND_LIMITS[b - 1],
    and no band still means none from today - OVERDUE_DAYS on."""
    later, earlier = offsets
    relevant = [due for _kind, due in found if due >= today - timedelta(days=OVERDUE_DAYS + earlier)]
    if not relevant:
        return None
    ahead = (min(relevant) - today).days - later
    return next((number for number, limit in enumerate(BAND_LIMITS) if ahead <= limit), LATER)


def later_bands(last: date) -> list[tuple[int, date]]:
    """Which bands above 0 may hold a deadline between today - OVERDUE_DAYS and `last`, as (band,
    computed before): a case in band b computed on day d has no deadline from d - OVERDUE_DAYS up to
    d + BAND_LIMITS[b - 1], so it may hold one only if it was computed before the date given. Band 0
    always may; no band (None) never does, since today is never before d."""
    return [(number, last - timedelta(days=BAND_LIMITS[number - 1])) for number in range(1, LATER + 1)]
