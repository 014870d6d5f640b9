"""The coded facts of a case (domain.md, "Facts of a case"): codes stored, labels translated.

Shared by the case forms, the rules and the statistics.

Codes are what the database and the statistics see; labels are what people read. "unknown" is a
choice wherever a person may not know.
"""

from casework.i18n import _l, _lp

UNKNOWN = ("unknown", _l("Unknown"))

LOCATIONS = [
    ("russia", _l("Russia")),
    ("georgia", _l("Georgia")),
    ("kazakhstan", _l("Kazakhstan")),
    ("armenia", _l("Armenia")),
    ("turkey", _l("Turkey")),
    ("serbia", _l("Serbia")),
    ("third_other", _l("Another country outside Schengen")),
    ("schengen", _l("Another Schengen state")),
    ("netherlands", _l("The Netherlands")),
    UNKNOWN,
]
THIRD_COUNTRIES = {"georgia", "kazakhstan", "armenia", "turkey", "serbia", "third_other"}

MILITARY_SITUATIONS = [
    ("never_served", _l("Never served")),
    ("conscription_age", _l("Of conscription age, not served")),
    ("serving_conscript", _l("Serving conscript")),
    ("deserted_conscript", _l("Deserted from conscript service")),
    ("reservist", _l("Reservist")),
    ("contract", _l("Serving contract soldier")),
    ("deserted_contract", _l("Deserted from contract service")),
    ("mobilised", _l("Mobilised, serving")),
    ("deserted_mobilised", _l("Deserted after mobilisation")),
    ("deserted", _l("Deserted, service not recorded")),
    ("unfit", _l("Unfit (category D)")),
    UNKNOWN,
]
#: The service a deserter left, by military situation ("deserted" alone does not say).
DESERTED_FROM = {"deserted_conscript": "conscript", "deserted_contract": "contract", "deserted_mobilised": "mobilised"}
RANK_GROUPS = [
    ("soldier", _l("Soldier, sergeant or warrant officer")),
    ("junior_officer", _l("Junior officer")),
    ("major", _l("Major to lieutenant colonel")),
    ("colonel", _l("Colonel")),
    ("senior_officer", _l("Senior officer")),
    ("none", _l("None")),
    UNKNOWN,
]
RESERVE_CATEGORIES = [("1", _l("Category 1")), ("2", _l("Category 2")), ("3", _l("Category 3")), UNKNOWN]
SPECIALTY_CLASSES = [
    ("combat", _l("Combat")),
    ("medical", _l("Medical")),
    ("technical", _l("Technical")),
    ("other", _l("Other")),
    UNKNOWN,
]
FITNESS_CATEGORIES = [("A", "A"), ("B", "Б (B)"), ("V", "В (V)"), ("G", "Г (G)"), ("D", "Д (D)"), UNKNOWN]
PROFESSION_CLASSES = [
    ("medical", _l("Medical")),
    ("it", _l("IT at an accredited company")),
    ("defence", _l("Defence industry")),
    ("other", _l("Other")),
    UNKNOWN,
]
DEFERRALS = [
    ("student", _l("Student in Russia")),
    ("it", _l("IT")),
    ("three_children", _l("Three children")),
    ("four_children", _l("Four or more children")),
    ("carer", _l("Carer")),
    ("none", _l("None")),
    UNKNOWN,
]
#: Contact from the military, several at once (Case.contact_kinds); "none" stands alone, and nothing
#: ticked means not known.
CONTACT_KINDS = [
    ("summons_paper", _l("Summons on paper")),
    ("summons_registered_mail", _l("Summons by registered mail")),
    ("summons_electronic", _l("Electronic summons (state portal)")),
    ("summons_register", _l("Summons posted in the summons register")),
    ("phone_call", _l("Phone call from the military commissariat")),
    ("visit", _l("Visit at home or at work")),
    ("street_stop", _l("Stopped in the street or in a raid at work")),
    ("data_check", _l('Invitation to a "data check"')),
    ("none", _l("No contact from the military")),
]
SUMMONS_KINDS = ("summons_paper", "summons_registered_mail", "summons_electronic", "summons_register")
SUMMONS_PURPOSES = [
    ("conscription", _l("Conscription")),
    ("mobilisation", _l("Mobilisation")),
    ("data_check", _l('"Data check"')),
    ("training", _l("Training")),
    UNKNOWN,
]
ACTIONS = [
    ("refused_conscription", _l("Refused conscription")),
    ("evaded_mobilisation", _l("Evaded mobilisation")),
    ("deserted", _l("Deserted")),
    ("fears_call_up", _l("Fears call-up only")),
    UNKNOWN,
]
DUTCH_STATUSES = [
    ("none", _l("None")),
    ("schengen_visa", _l("Schengen short-stay visa")),
    ("visa_free", _l("Visa-free short stay")),
    ("student", _l("Student")),
    ("exchange_student", _l("Exchange student")),
    ("researcher", _l("Researcher")),
    ("orientation_year", _l("Orientation year")),
    ("work", _l("Work")),
    ("asylum_pending", _l("Asylum pending")),
    ("asylum_granted", _l("Asylum granted")),
    ("asylum_rejected", _l("Asylum rejected")),
    UNKNOWN,
]
#: Statuses with a residence permit that can be extended from three months before it expires.
PERMIT_STATUSES = {"student", "exchange_student", "researcher", "orientation_year", "work"}
NEEDS = [
    ("legal_advice", _l("Legal advice")),
    ("asylum_procedure", _l("Asylum procedure")),
    ("visa_application", _l("Visa application")),
    ("stay_extension", _l("Stay extension")),
    ("housing", _l("Housing")),
    ("money", _l("Money")),
    ("medical", _l("Medical or psychological help")),
    ("documents", _l("Documents")),
    ("translation", _l("Translation")),
    ("work", _l("Work")),
    ("other", _l("Other")),
]
SEXES = [("M", _l("Man")), ("F", _l("Woman")), ("X", _l("X (other or not stated)"))]
CITIZENSHIPS = [
    ("RU", _l("Russian only")),
    ("RU+other", _l("Russian and another")),
    ("former", _l("Former Russian citizen")),
    ("stateless", _l("Stateless")),
    UNKNOWN,
]
#: Where a degree was obtained: enough for the orientation year (a Dutch degree) and no more.
DEGREE_COUNTRIES = [
    ("none", _l("No degree")),
    ("NL", _l("The Netherlands")),
    ("RU", _l("Russia")),
    ("other", _l("Another country")),
    UNKNOWN,
]
#: Languages spoken, for matching a volunteer: a fixed list of widely spoken ISO 639-1 codes, so that
#: the plaintext column holds no free text and no minority language that could point to an ethnic
#: group (S20). The codes are Person.LANGUAGES.
LANGUAGES = [
    ("ru", _l("Russian")),
    ("uk", _l("Ukrainian")),
    ("be", _l("Belarusian")),
    ("en", _l("English")),
    ("nl", _l("Dutch")),
    ("de", _l("German")),
    ("fr", _l("French")),
    ("es", _l("Spanish")),
    ("it", _l("Italian")),
    ("pl", _l("Polish")),
]
YES_NO_UNKNOWN = [("yes", _l("Yes")), ("no", _l("No")), UNKNOWN]
#: How a person can give consent to whoever records it (the forms offer these).
ASKED_CONSENT_METHODS = [
    ("in_person", _l("In person")),
    ("telegram", _l("In writing, by Telegram")),
    ("email", _l("In writing, by e-mail")),
    ("phone", _l("By phone")),
    ("other", _l("Other")),
]
#: Every method a consent row can name: also consent given before the case was imported from a
#: spreadsheet, which a coordinator vouches for on import and no form offers.
CONSENT_METHODS = [*ASKED_CONSENT_METHODS, ("imported", _l("Imported: given earlier, vouched for by a coordinator"))]
STATUSES = [
    ("new", _l("New")),
    ("triage", _l("Triage")),
    ("active", _lp("case status", "Active")),
    ("waiting", _l("Waiting on an outside party")),
    ("referred", _l("Referred")),
    ("closed", _l("Closed")),
]
OUTCOMES = [
    ("resolved", _l("Resolved")),
    ("withdrawn", _l("Withdrawn")),
    ("lost_contact", _l("Lost contact")),
    ("referred_on", _l("Referred on")),
]
OPEN_STATUSES = {"new", "triage", "active", "waiting", "referred"}


def label(choices, code):
    """The translated label of `code` in `choices`, or the code itself if it is not listed."""
    return dict(choices).get(code, code)
