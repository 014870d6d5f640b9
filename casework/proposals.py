"""The open letter's three proposals and the coarse age bands: the domain's own vocabulary, read by
the rules, the case pages and the statistics alike (one source each, see domain.md)."""

from datetime import date

from dateutil.relativedelta import relativedelta

from casework.i18n import _l

PROPOSALS = ("P1", "P2", "P3")

PROPOSAL_LABELS = {
    "P1": _l("P1 humanitarian visa"),
    "P2": _l("P2 moratorium extended to at least 35"),
    "P3": _l("P3 extension of stay"),
}

AGE_BANDS = ("18-24", "25-34", "35-44", "45+", "unknown")


def age_band(born: date | None, on: date) -> str:
    """The only age a statistics table or a plaintext column may hold: a band, never a birth date."""
    if born is None:
        return "unknown"
    age = relativedelta(on, born).years
    if age < 18:
        return "unknown"
    return "18-24" if age < 25 else "25-34" if age < 35 else "35-44" if age < 45 else "45+"
