"""Password rules of S10: length only, plus refusing passwords that attackers try first.

The offline list is the password frequency list that ships with zxcvbn (about 30,000 passwords from
public breach corpora), so no password ever leaves the server to be checked. zxcvbn's own pattern
matcher finds what cracking tools enumerate before any list: digit and letter runs (123456789012345),
keyboard walks (qwertyuiopasdfgh) and repeats, also strung together.
"""

import string
from functools import cache

from flask_babel import gettext as _
from flask_security import PasswordUtil
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

_EDGE_NOISE = string.digits + string.punctuation + " "
#: zxcvbn patterns that cracking tools try first: runs, keyboard walks, repeats.
_MECHANICAL = {"sequence", "spatial", "repeat"}
#: zxcvbn gives up on longer inputs; a password that long is no walk or run.
_PATTERN_MAX_LENGTH = 72


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def _smallest_repeating_unit(text: str) -> str:
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def _predictable(match: dict) -> bool:
    return match["pattern"] in _MECHANICAL or (match["pattern"] == "dictionary" and match["dictionary_name"] == "passwords")


def is_mechanical(password: str) -> bool:
    """True when the whole password is runs, keyboard walks, repeats and listed passwords strung together."""
    if len(password) > _PATTERN_MAX_LENGTH:
        return False
    return all(_predictable(match) for match in zxcvbn(password.casefold())["sequence"])


def is_common(password: str) -> bool:
    """True for a listed password, also when repeated or padded with digits and symbols."""
    folded = password.casefold().strip()
    candidates = {folded, folded.strip(_EDGE_NOISE), _smallest_repeating_unit(folded)}
    candidates.add(_smallest_repeating_unit(folded.strip(_EDGE_NOISE)))
    if len(set(folded)) < 4:
        return True
    return any(candidate in common_passwords() for candidate in candidates if candidate) or is_mechanical(folded)


class CommonPasswordRefusingUtil(PasswordUtil):
    """Flask-Security's length checks, then the common-password check."""

    def validate(self, password, is_register, **kwargs):
        errors, normalized = super().validate(password, is_register, **kwargs)
        if errors:
            return errors, normalized
        if is_common(normalized):
            return [_("This password is too common. Choose a longer phrase that only you would think of.")], normalized
        return None, normalized
