"""Normal forms of identifiers, so that the same person's data meets however it was typed.

Names also get a transliterated "skeleton": Cyrillic is transliterated to Latin and common spelling
variants are folded together, so that "Иванов", "Ivanov", "Iwanow" and "Ivanoff" all become
"ivanov", and "Хрущёв", "Khrushchev" and "Chruschtschow" meet too.
"""

import re
import unicodedata

import phonenumbers

CYRILLIC_TO_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "є": "ye",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "і": "i",
    "ї": "yi",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}

#: Applied in order to a lower-case Latin spelling: German, Polish, French and English habits of
#: writing Russian sounds are folded into one.
SPELLING_FOLDS = (
    ("tsch", "ch"),
    ("shch", "sh"),
    ("szcz", "sh"),
    ("sch", "sh"),
    ("sz", "sh"),
    ("cz", "ch"),
    ("tch", "ch"),
    ("kh", "h"),
    ("zh", "z"),
    ("tz", "c"),
    ("ts", "c"),
    ("ph", "f"),
    ("w", "v"),
    ("yu", "u"),
    ("ju", "u"),
    ("iu", "u"),
    ("ya", "a"),
    ("ja", "a"),
    ("ia", "a"),
    ("ye", "e"),
    ("je", "e"),
    ("ie", "e"),
    ("y", "i"),
    ("j", "i"),
    ("x", "ks"),
    ("q", "k"),
)


def text(value: str) -> str:
    """NFKC, case-folded, with runs of white space made one space and the ends trimmed."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def name_skeleton(value: str) -> str:
    """A spelling-tolerant, script-independent form of a name (one or more words)."""
    latin = "".join(CYRILLIC_TO_LATIN.get(char, char) for char in text(value))
    latin = "".join(c for c in unicodedata.normalize("NFKD", latin) if not unicodedata.combining(c))
    words = []
    for word in re.findall(r"[a-z]+", latin):
        if word.endswith("ff"):
            word = word[:-2] + "v"
        for written, folded in SPELLING_FOLDS:
            word = word.replace(written, folded)
        words.append(re.sub(r"(.)\1+", r"\1", word))
    return " ".join(words)


def email(value: str) -> str:
    return text(value).replace(" ", "")


def phone(value: str, default_region: str = "NL") -> str | None:
    """E.164, or None when the number cannot be understood."""
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def telegram(value: str) -> str:
    handle = text(value).replace(" ", "")
    handle = re.sub(r"^(https?://)?(t\.me|telegram\.me)/", "", handle)
    return handle.lstrip("@")


def passport(value: str) -> str:
    return re.sub(r"[\s\-./№#]", "", unicodedata.normalize("NFKC", value)).upper()
