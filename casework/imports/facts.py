"""What a spreadsheet's columns can hold: the intake's facts, and how a cell becomes an answer.

The facts are the intake form's own (`cases.operations.PERSON_FIELDS`, `CASE_FIELDS`, the needs and
an approximate age), so an import asks nothing the form does not. A coded fact accepts its code, its
label in any of the four languages, and the synonyms below ("мобилизован", "mobilised", "mob." are
all "mobilised"); a date accepts day.month.year, ISO, day/month/year and Excel's own dates.
"""

import re
from datetime import date, datetime, timedelta

from babel import Locale
from flask_babel import force_locale

from casework import choices
from casework.cases.operations import CASE_FIELDS, PERSON_FIELDS
from casework.config import LOCALES

FACTS = (*PERSON_FIELDS, "approximate_age", *CASE_FIELDS, "needs")

CODED = {
    "sex": choices.SEXES,
    "citizenship": choices.CITIZENSHIPS,
    "location": choices.LOCATIONS,
    "military_situation": choices.MILITARY_SITUATIONS,
    "rank_group": choices.RANK_GROUPS,
    "reserve_category": choices.RESERVE_CATEGORIES,
    "specialty_class": choices.SPECIALTY_CLASSES,
    "fitness_category": choices.FITNESS_CATEGORIES,
    "profession_class": choices.PROFESSION_CLASSES,
    "deferral": choices.DEFERRALS,
    "summons_purpose": choices.SUMMONS_PURPOSES,
    "exit_ban": choices.YES_NO_UNKNOWN,
    "action": choices.ACTIONS,
    "written_evidence": choices.YES_NO_UNKNOWN,
    "dutch_status": choices.DUTCH_STATUSES,
    "visa_limited_validity": choices.YES_NO_UNKNOWN,
    "degree_country": choices.DEGREE_COUNTRIES,
    "research_permit": choices.YES_NO_UNKNOWN,
    "languages": choices.LANGUAGES,
    "contact_kinds": choices.CONTACT_KINDS,
    "needs": choices.NEEDS,
}
#: Facts that hold several codes; a cell lists them separated by commas, semicolons, slashes or lines.
MULTIPLE = {"languages", "contact_kinds", "needs"}
DATES = {
    "date_of_birth",
    "present_country_since",
    "deserted_on",
    "deferral_until",
    "summons_posted_on",
    "summons_appear_on",
    "exit_ban_on",
    "entry_on",
    "permit_expires_on",
    "degree_completed_on",
    "asylum_applied_on",
    "asylum_decided_on",
}
NUMBERS = {"birth_year_estimated", "approximate_age", "days_used"}
FLAGS = {"no_contact_details"}

_YES = ["y", "yes", "ja", "j", "да", "д", "так", "true", "1", "x", "+"]
_NO = ["n", "no", "nee", "нет", "ні", "false", "0", "-"]
_UNKNOWN = ["?", "unknown", "n/a", "na", "onbekend", "неизвестно", "не знаю", "невідомо", "нд"]
_YES_NO = {"yes": _YES, "no": _NO, "unknown": _UNKNOWN}

#: Spellings found in the foundation's sheets, in English, Dutch, Russian and Ukrainian, besides each
#: choice's code and its label in the four languages (added by `value_table`).
SYNONYMS: dict[str, dict[str, list[str]]] = {
    "sex": {
        "M": ["m", "male", "man", "men", "м", "муж", "мужской", "мужчина", "чол", "чоловік", "чоловіча", "v"],
        "F": ["f", "female", "woman", "vrouw", "ж", "жен", "женский", "женщина", "жін", "жінка", "жіноча"],
        "X": ["x", "other", "anders", "другое", "інше", "не указан"],
    },
    "citizenship": {
        "RU": ["ru", "rus", "russian", "russia", "rusland", "russisch", "рф", "россия", "русский", "российское", "росія"],
        "RU+other": ["dual", "ru+", "dubbel", "двойное", "двойное гражданство", "подвійне"],
        "former": ["former", "ex", "voormalig", "бывший", "бывший гражданин", "колишній"],
        "stateless": ["stateless", "staatloos", "без гражданства", "лбг", "апатрид", "без громадянства"],
        "unknown": _UNKNOWN,
    },
    "location": {
        "russia": ["ru", "rf", "rusland", "рф", "россия", "росія"],
        "georgia": ["ge", "georgie", "грузия", "грузія"],
        "kazakhstan": ["kz", "kazachstan", "казахстан"],
        "armenia": ["am", "armenie", "армения", "вірменія"],
        "turkey": ["tr", "turkije", "türkiye", "турция", "туреччина"],
        "serbia": ["rs", "servie", "сербия", "сербія"],
        "third_other": ["other third country", "third country", "ander land", "другая страна", "інша країна"],
        "schengen": ["eu", "schengen", "шенген", "шенгенская зона", "европа", "європа"],
        "netherlands": ["nl", "holland", "nederland", "нидерланды", "голландия", "нідерланди"],
        "unknown": _UNKNOWN,
    },
    "military_situation": {
        "never_served": ["never", "not served", "niet gediend", "не служил", "не служив"],
        "conscription_age": ["conscription age", "призывник", "призывной возраст", "призовний вік", "dienstplichtig"],
        "serving_conscript": ["conscript", "срочник", "срочная служба", "строковик", "dienstplichtige"],
        "deserted_conscript": ["deserted conscript", "сзч срочник", "дезертир срочник"],
        "reservist": ["reserve", "reserves", "reservist", "zapas", "запас", "в запасе", "запасник", "резервіст", "reservist"],
        "contract": ["contract", "contractor", "kontraktnik", "контракт", "контрактник", "контрактник служит", "beroeps"],
        "deserted_contract": ["deserted contract", "сзч контрактник", "дезертир контрактник"],
        "mobilised": [
            "mob",
            "mobilised",
            "mobilized",
            "gemobiliseerd",
            "мобилизован",
            "мобилизованный",
            "мобик",
            "мобілізований",
        ],
        "deserted_mobilised": ["deserted mobilised", "сзч мобилизован", "дезертир мобилизованный"],
        "deserted": ["deserter", "deserted", "deserteur", "сзч", "дезертир", "дезертирував"],
        "unfit": ["unfit", "category d", "cat d", "ongeschikt", "негоден", "не годен", "категория д", "непридатний"],
        "unknown": _UNKNOWN,
    },
    "rank_group": {
        "soldier": ["soldier", "sergeant", "private", "soldaat", "солдат", "рядовой", "сержант", "прапорщик", "рядовий"],
        "junior_officer": [
            "junior officer",
            "lieutenant",
            "captain",
            "лейтенант",
            "капитан",
            "младший офицер",
            "молодший офіцер",
        ],
        "major": ["major", "lieutenant colonel", "майор", "подполковник", "підполковник"],
        "colonel": ["colonel", "kolonel", "полковник"],
        "senior_officer": ["general", "senior officer", "генерал", "высший офицер", "вищий офіцер"],
        "none": ["none", "geen", "нет", "немає", "без звания"],
        "unknown": _UNKNOWN,
    },
    "reserve_category": {
        "1": ["1", "i", "cat 1", "category 1", "categorie 1", "1 разряд", "первый разряд", "1 розряд"],
        "2": ["2", "ii", "cat 2", "category 2", "categorie 2", "2 разряд", "второй разряд", "2 розряд"],
        "3": ["3", "iii", "cat 3", "category 3", "categorie 3", "3 разряд", "третий разряд", "3 розряд"],
        "unknown": _UNKNOWN,
    },
    "specialty_class": {
        "combat": ["combat", "gevecht", "боевая", "боевой", "бойова"],
        "medical": ["medic", "medical", "medisch", "медицинская", "медик", "медична"],
        "technical": ["technical", "technisch", "техническая", "техник", "технічна"],
        "other": ["other", "anders", "другая", "інша"],
        "unknown": _UNKNOWN,
    },
    "fitness_category": {
        "A": ["a", "а", "годен"],
        "B": ["b", "б", "годен с ограничениями незначительными"],
        "V": ["v", "в", "ограниченно годен"],
        "G": ["g", "г", "временно не годен"],
        "D": ["d", "д", "не годен"],
        "unknown": _UNKNOWN,
    },
    "profession_class": {
        "medical": ["medic", "doctor", "arts", "врач", "медик", "лікар"],
        "it": ["it", "айти", "ит", "айтишник", "програміст", "programmer", "ict"],
        "defence": ["defence", "defense", "defensie", "опк", "оборонка", "оборонная промышленность", "оборонна промисловість"],
        "other": ["other", "anders", "другое", "інше"],
        "unknown": _UNKNOWN,
    },
    "deferral": {
        "student": ["student", "study", "studie", "студент", "учеба", "отсрочка по учебе", "навчання"],
        "it": ["it", "айти", "ит", "it отсрочка"],
        "three_children": ["3 children", "three children", "3 kinderen", "трое детей", "3 детей", "троє дітей"],
        "four_children": ["4 children", "4+ children", "4 kinderen", "четверо детей", "многодетный", "багатодітний"],
        "carer": ["carer", "caregiver", "mantelzorger", "уход", "уход за родственником", "догляд"],
        "none": ["none", "no", "geen", "нет", "немає"],
        "unknown": _UNKNOWN,
    },
    "summons_purpose": {
        "conscription": ["conscription", "call-up", "dienstplicht", "призыв", "срочка", "призов"],
        "mobilisation": ["mob", "mobilisation", "mobilization", "mobilisatie", "мобилизация", "мобілізація"],
        "data_check": ["data check", "data", "уточнение данных", "сверка данных", "уточнення даних"],
        "training": ["training", "oefening", "сборы", "учения", "збори"],
        "unknown": _UNKNOWN,
    },
    "action": {
        "refused_conscription": ["refused", "refused conscription", "weigerde", "отказ", "отказался", "відмовився"],
        "evaded_mobilisation": ["evaded", "evaded mobilisation", "уклонился", "уклонение", "ухилився"],
        "deserted": ["deserted", "deserteerde", "дезертировал", "сзч", "дезертирував"],
        "fears_call_up": ["fears", "fear", "fears mobilisation", "angst", "боится", "опасается", "боїться"],
        "unknown": _UNKNOWN,
    },
    "dutch_status": {
        "none": ["none", "geen", "нет", "немає"],
        "schengen_visa": ["schengen", "visa", "visum", "c visa", "шенген", "виза", "віза"],
        "visa_free": ["visa free", "visumvrij", "безвиз", "безвіз"],
        "student": ["student", "студент", "studievisum"],
        "exchange_student": ["exchange", "exchange student", "uitwisseling", "обмен", "обмін"],
        "researcher": ["researcher", "onderzoeker", "исследователь", "науковець"],
        "orientation_year": ["orientation year", "zoekjaar", "zoekjaar hoogopgeleiden", "год поиска", "рік пошуку"],
        "work": ["work", "werk", "kennismigrant", "работа", "робота"],
        "asylum_pending": ["asylum", "asylum pending", "azc", "asiel", "asielzoeker", "убежище", "притулок", "беженец"],
        "asylum_granted": ["asylum granted", "status", "verblijfsvergunning asiel", "убежище получено", "притулок отримано"],
        "asylum_rejected": ["asylum rejected", "afgewezen", "отказ в убежище", "відмова в притулку"],
        "unknown": _UNKNOWN,
    },
    "degree_country": {
        "none": ["none", "no degree", "geen", "нет", "немає"],
        "NL": ["nl", "netherlands", "nederland", "нидерланды", "нідерланди"],
        "RU": ["ru", "russia", "rusland", "россия", "росія"],
        "other": ["other", "anders", "другая", "інша"],
        "unknown": _UNKNOWN,
    },
    "contact_kinds": {
        "summons_paper": ["paper", "paper summons", "повестка", "бумажная повестка", "повістка", "papier"],
        "summons_registered_mail": ["registered mail", "aangetekend", "заказное письмо", "рекомендований лист"],
        "summons_electronic": ["electronic", "gosuslugi", "госуслуги", "электронная повестка", "електронна повістка"],
        "summons_register": ["register", "реестр", "реєстр", "реестр повесток"],
        "phone_call": ["call", "phone", "telefoon", "звонок", "дзвінок"],
        "visit": ["visit", "bezoek", "визит", "приходили", "візит"],
        "street_stop": ["street", "raid", "облава", "рейд", "на улице"],
        "data_check": ["data check", "уточнение данных", "сверка"],
        "none": ["none", "geen", "нет", "немає"],
    },
    "needs": {
        "legal_advice": ["legal", "lawyer", "juridisch", "advocaat", "юрист", "юридическая помощь", "юридична допомога"],
        "asylum_procedure": ["asylum", "asiel", "убежище", "притулок"],
        "visa_application": ["visa", "visum", "виза", "віза"],
        "stay_extension": ["extension", "verlenging", "продление", "продовження"],
        "housing": ["housing", "huisvesting", "жилье", "житло"],
        "money": ["money", "geld", "деньги", "гроші"],
        "medical": ["medical", "psychological", "medisch", "медицина", "психолог", "медична"],
        "documents": ["documents", "documenten", "документы", "документи"],
        "translation": ["translation", "vertaling", "перевод", "переклад"],
        "work": ["work", "werk", "работа", "робота"],
        "other": ["other", "anders", "другое", "інше"],
    },
    "languages": {
        "ru": ["russian", "rus", "russisch", "русский", "російська"],
        "uk": ["ukrainian", "ua", "oekraiens", "украинский", "українська"],
        "be": ["belarusian", "by", "belarussisch", "белорусский", "білоруська"],
        "en": ["english", "eng", "engels", "английский", "англійська"],
        "nl": ["dutch", "nederlands", "голландский", "нидерландский", "нідерландська"],
        "de": ["german", "duits", "немецкий", "німецька"],
        "fr": ["french", "frans", "французский", "французька"],
        "es": ["spanish", "spaans", "испанский", "іспанська"],
        "it": ["italian", "italiaans", "итальянский", "італійська"],
        "pl": ["polish", "pools", "польский", "польська"],
    },
}
for _fact in ("exit_ban", "written_evidence", "visa_limited_validity", "research_permit"):
    SYNONYMS[_fact] = _YES_NO


def normal(text: str) -> str:
    """A cell or header as compared: case and ё folded; dots, dashes, brackets, quotes and runs of
    spaces evened out ("Mob." is "mob", "Фамилия (лат.)" is "фамилия лат")."""
    text = re.sub(r"[._\-()\[\]:\"'«»“”]", " ", str(text).casefold().replace("ё", "е"))
    return " ".join(text.split())


def value_table(fact: str) -> dict[str, str]:
    """Every spelling a coded fact understands, normalised, to its code: code, labels in every
    language, then the built-in synonyms (the first meaning found wins)."""
    table: dict[str, str] = {}
    for code, label in CODED[fact]:
        table.setdefault(normal(code), code)
        for locale in LOCALES:
            with force_locale(locale):
                table.setdefault(normal(str(label)), code)
    for code, spellings in SYNONYMS.get(fact, {}).items():
        for spelling in spellings:
            table.setdefault(normal(spelling), code)
    return table


def country_table() -> dict[str, str]:
    """Country names in the four languages (and ISO codes) to ISO 3166 codes, for `other_citizenship`."""
    table: dict[str, str] = {}
    for locale in LOCALES:
        for code, name in Locale.parse(locale).territories.items():
            if len(code) == 2 and code.isalpha():
                table.setdefault(normal(name), code)
                table.setdefault(normal(code), code)
    return table


def parts(fact: str, cell: str) -> list[str]:
    """A cell's separate answers: several for a fact that holds several codes, else the whole cell."""
    if fact in MULTIPLE:
        return [part.strip() for part in re.split(r"[,;/\n]+", cell) if part.strip()]
    return [cell.strip()]


#: Day-month-year first: the foundation's sheets are written in Europe, never month-first.
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%y", "%Y.%m.%d", "%Y/%m/%d")
EXCEL_EPOCH = date(1899, 12, 30)


def read_date(cell) -> date | None:
    """A date from what a sheet holds, or None when it cannot be read: a datetime cell (openpyxl), an
    Excel serial number (a number, or a number typed as text in a CSV), or text in DATE_FORMATS."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return EXCEL_EPOCH + timedelta(days=int(cell)) if 1 <= cell < 2958466 else None
    text = re.sub(r"\s*(г|р)\.?$", "", str(cell).strip())  # "12.03.1990 г." (год / рік)
    text = text.split("T")[0].split(" ")[0] if re.match(r"^\d{4}-\d\d-\d\d[T ]", text) else text
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return read_date(float(text))
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None
