"""Which fact a column holds, guessed from its header: a saved layout comes first (see
`operations.layout_for`); otherwise a header that is a fact's code, its intake label in any of the
four languages, or one of the usual headers below. The coordinator confirms or corrects the guess."""

from flask_babel import force_locale

from casework.config import LOCALES
from casework.imports import facts
from casework.imports.rows import RowForm

#: Headers the foundation's and similar sheets use, normalised with `facts.normal`.
USUAL_HEADERS = {
    "surname_latin": ["surname", "last name", "family name", "achternaam", "фамилия лат", "фамилия латиницей", "прізвище лат"],
    "given_names_latin": ["first name", "given name", "given names", "name", "voornaam", "voornamen", "имя лат", "ім'я лат"],
    "surname_cyrillic": ["фамилия", "прізвище", "surname cyrillic", "achternaam cyrillisch"],
    "given_names_cyrillic": ["имя", "имя отчество", "ім'я", "first name cyrillic"],
    "alias": ["alias", "nickname", "bijnaam", "псевдоним", "никнейм", "прізвисько"],
    "date_of_birth": ["dob", "date of birth", "birth date", "born", "geboortedatum", "дата рождения", "др", "дата народження"],
    "sex": ["sex", "gender", "geslacht", "пол", "стать"],
    "citizenship": ["citizenship", "nationality", "nationaliteit", "гражданство", "громадянство"],
    "phone": ["phone", "tel", "telephone", "mobile", "telefoon", "телефон", "тел"],
    "email": ["email", "e mail", "mail", "почта", "электронная почта", "пошта"],
    "telegram": ["telegram", "tg", "телеграм", "телеграмм"],
    "signal": ["signal", "сигнал"],
    "passport_number": ["passport", "passport number", "paspoort", "паспорт", "номер паспорта"],
    "address": ["address", "adres", "адрес", "адреса"],
    "languages": ["languages", "talen", "языки", "мови"],
    "location": ["location", "country", "where", "land", "где сейчас", "страна", "де зараз", "країна"],
    "city": ["city", "stad", "plaats", "город", "місто"],
    "military_situation": ["military status", "military situation", "военный статус", "статус", "військовий статус"],
    "rank_group": ["rank", "rang", "звание", "звання"],
    "reserve_category": ["reserve category", "разряд запаса", "категория запаса"],
    "specialty_code": ["vus", "вус"],
    "fitness_category": ["fitness", "категория годности", "годность"],
    "contact_kinds": ["summons", "contact", "повестка", "повістка"],
    "action": ["action", "what he did", "что сделал", "що зробив"],
    "dutch_status": ["status nl", "dutch status", "verblijfsstatus", "статус в нл", "статус в нидерландах"],
    "permit_expires_on": [
        "visa until",
        "visa expires",
        "permit expires",
        "geldig tot",
        "виза до",
        "виза действует до",
        "віза до",
    ],
    "entry_on": ["entry", "entry date", "inreisdatum", "дата въезда", "дата в'їзду"],
    "needs": ["needs", "behoeften", "нужды", "потребности", "потреби"],
    "narrative": ["story", "narrative", "notes", "verhaal", "история", "описание", "історія"],
}


def _known_headers() -> dict[str, str]:
    table: dict[str, str] = {}
    for fact in facts.FACTS:
        table.setdefault(facts.normal(fact), fact)
    for locale in LOCALES:
        with force_locale(locale):
            for fact in facts.FACTS:
                table.setdefault(facts.normal(str(getattr(RowForm, fact).args[0])), fact)
    for fact, headers in USUAL_HEADERS.items():
        for header in headers:
            table.setdefault(facts.normal(header), fact)
    return table


def suggest_columns(headers) -> list[str]:
    """A fact per column (or "" to leave it out), never the same fact twice."""
    known, taken, suggested = _known_headers(), set(), []
    for header in headers:
        fact = known.get(facts.normal(header), "")
        suggested.append("" if fact in taken else fact)
        taken.add(fact)
    return suggested


def fact_labels() -> dict[str, str]:
    """Each importable fact's label, as the intake form shows it, in the reader's language."""
    return {name: str(getattr(RowForm, name).args[0]) for name in facts.FACTS}
