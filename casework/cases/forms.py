"""Forms of the case area. Every field validates on the server with a translated message, and a
refused form is shown again with everything that was typed."""

from datetime import date
from functools import cache

from babel import Locale
from flask_babel import get_locale
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Form,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from casework import bounds, choices, clock
from casework.cases import cross_checks
from casework.clock import today
from casework.i18n import _l
from casework.people import normalise

BLANK = [("", _l("— choose —"))]


class CheckboxList(SelectMultipleField):
    """Several choices as a list of checkboxes, which works without JavaScript and on a phone."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CodeList(CheckboxList):
    """Checkboxes for a column that keeps its codes separated by commas (Person.languages)."""

    def process_data(self, value):
        super().process_data(value.split(",") if isinstance(value, str) else value)


def coded(label, options, blank=True):
    return SelectField(label, choices=(BLANK if blank else []) + list(options), validators=[Optional()], default="")


#: Babel's territory codes that are not countries (regions, groupings, placeholders).
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}


def other_countries() -> tuple:
    """Every country but Russia, named in the page's language, as (ISO 3166 code, name)."""
    return _countries_named_in(str(get_locale() or "en"))


@cache
def _countries_named_in(locale: str) -> tuple:
    """Built once per language: naming and sorting some 250 countries, which a form with this field
    does twice (to validate and to show it), took 4% of an intake's CPU."""
    names = Locale.parse(locale).territories
    codes = [code for code in names if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES | {"RU"}]
    return tuple(BLANK + sorted(((code, names[code]) for code in codes), key=lambda item: item[1]))


def optional_date(label):
    return DateField(label, validators=[Optional(), bounds.plausible_date], render_kw={"autocomplete": "off"})


def not_in_future(form, field):
    if field.data and field.data > clock.today():
        raise ValidationError(_l("This date cannot be in the future."))


def not_before_1900(form, field):
    if field.data and field.data.year < 1900:
        raise ValidationError(_l("Check the year."))


def valid_phone(form, field):
    if field.data and normalise.phone(field.data) is None:
        raise ValidationError(_l("This does not look like a phone number. Include the country code, e.g. +7 or +31."))


class ConsentFields(Form):
    consent_store = BooleanField(
        _l("The person agrees that the foundation stores their data"),
        validators=[DataRequired(_l("Without consent to store the data nothing can be saved."))],
    )
    consent_contact = BooleanField(_l("The person agrees to be contacted by the foundation"))
    consent_partners = CheckboxList(_l("The person agrees that their case is shared with"), coerce=int, choices=[])
    consent_method = SelectField(_l("How consent was given"), choices=choices.ASKED_CONSENT_METHODS)
    consent_expires_on = optional_date(_l("Consent expires on (optional)"))


class PersonFields(Form):
    surname_latin = StringField(_l("Surname (Latin script)"), validators=[Optional(), Length(max=200)])
    given_names_latin = StringField(_l("Given names (Latin script)"), validators=[Optional(), Length(max=200)])
    surname_cyrillic = StringField(_l("Surname (Cyrillic script)"), validators=[Optional(), Length(max=200)])
    given_names_cyrillic = StringField(_l("Given names (Cyrillic script)"), validators=[Optional(), Length(max=200)])
    alias = StringField(
        _l("Alias (a name the person goes by, when they give no other)"), validators=[Optional(), Length(max=200)]
    )
    date_of_birth = DateField(_l("Date of birth"), validators=[Optional(), not_in_future, not_before_1900, bounds.plausible_date])
    birth_year_estimated = IntegerField(
        _l("Estimated birth year, when only an approximate age is known"),
        validators=[Optional(), NumberRange(1900, 2100)],
    )
    approximate_age = IntegerField(
        _l('Age, when only roughly known ("about 29"): saved as an estimated birth year'),
        validators=[Optional(), NumberRange(14, 100)],
    )
    sex = coded(_l("Sex"), choices.SEXES)
    citizenship = coded(_l("Citizenship"), choices.CITIZENSHIPS)
    other_citizenship = SelectField(_l("Other citizenship"), choices=other_countries, validators=[Optional()], default="")
    languages = CodeList(_l("Languages spoken"), choices=choices.LANGUAGES, validators=[Optional()])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40), valid_phone], render_kw={"inputmode": "tel"})
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=200)])
    telegram = StringField(_l("Telegram handle"), validators=[Optional(), Length(max=100)])
    signal = StringField(_l("Signal"), validators=[Optional(), Length(max=100)])
    passport_number = StringField(_l("Passport number"), validators=[Optional(), Length(max=40)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)])
    no_contact_details = BooleanField(_l("The person gives no contact details (they will contact the foundation)"))

    def validate_approximate_age(self, field):
        if field.data and (self.date_of_birth.data or self.birth_year_estimated.data):
            raise ValidationError(_l("Give the date of birth, the estimated birth year or the approximate age, only one."))

    def validate_birth_year_estimated(self, field):
        if field.data and self.date_of_birth.data:
            raise ValidationError(_l("Give either the date of birth or an estimated birth year, not both."))

    def validate_other_citizenship(self, field):
        if field.data and self.citizenship.data != "RU+other":
            raise ValidationError(_l('Another citizenship goes with "Russian and another".'))


class CaseFields(Form):
    location = coded(_l("Where the person is now"), choices.LOCATIONS)
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    present_country_since = optional_date(_l("In this country since"))

    military_situation = coded(_l("Military situation"), choices.MILITARY_SITUATIONS)
    deserted_on = optional_date(_l("Deserted on"))
    rank_group = coded(_l("Rank group"), choices.RANK_GROUPS)
    reserve_category = coded(_l("Reserve category"), choices.RESERVE_CATEGORIES)
    specialty_code = StringField(_l("Military registration specialty (VUS code)"), validators=[Optional(), Length(max=40)])
    specialty_class = coded(_l("Kind of specialty"), choices.SPECIALTY_CLASSES)
    fitness_category = coded(_l("Fitness category"), choices.FITNESS_CATEGORIES)
    profession_class = coded(_l("Profession"), choices.PROFESSION_CLASSES)
    deferral = coded(_l("Deferral"), choices.DEFERRALS)
    deferral_until = optional_date(_l("Deferral ends on"))

    contact_kinds = CodeList(_l("Contact from the military"), choices=choices.CONTACT_KINDS, validators=[Optional()])
    summons_purpose = coded(_l("Purpose of the summons"), choices.SUMMONS_PURPOSES)
    summons_posted_on = optional_date(_l("Summons posted on"))
    summons_appear_on = optional_date(_l("Date to appear"))
    exit_ban = coded(_l("Exit ban notified"), choices.YES_NO_UNKNOWN)
    exit_ban_on = optional_date(_l("Exit ban notified on"))

    action = coded(_l("What the person did"), choices.ACTIONS)
    written_evidence = coded(_l("Written evidence of objection"), choices.YES_NO_UNKNOWN)

    dutch_status = coded(_l("Status in the Netherlands"), choices.DUTCH_STATUSES)
    visa_issuing_state = StringField(_l("Visa issued by (country)"), validators=[Optional(), Length(max=60)])
    visa_limited_validity = coded(_l("Visa with limited territorial validity"), choices.YES_NO_UNKNOWN)
    entry_on = optional_date(_l("Entered the Schengen area on"))
    days_used = IntegerField(
        _l("Days already used in the 180 days before this entry"), validators=[Optional(), NumberRange(0, 90)]
    )
    permit_expires_on = optional_date(_l("Visa or permit expires on"))
    degree_country = coded(_l("Degree obtained in"), choices.DEGREE_COUNTRIES)
    degree_completed_on = optional_date(_l("Degree completed on"))
    research_permit = coded(_l("Researcher with a residence permit for research"), choices.YES_NO_UNKNOWN)
    asylum_applied_on = optional_date(_l("Asylum application date"))
    asylum_decided_on = optional_date(_l("Asylum decision date"))

    needs = CheckboxList(_l("Needs"), choices=choices.NEEDS, validators=[Optional()])
    narrative = TextAreaField(_l("The person's story"), validators=[Optional(), Length(max=20000)])

    def validate_contact_kinds(self, field):
        if "none" in (field.data or []) and len(field.data) > 1:
            raise ValidationError(_l('"No contact from the military" cannot go with a kind of contact.'))


class CrossChecked:
    """A case form whose answers are checked against each other (cross_checks) once each field passed
    its own validators; every problem is shown at the field to correct."""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if valid and self.approximate_age.data:
            self.birth_year_estimated.data = today().year - self.approximate_age.data
        for name, message in cross_checks.problems(self.data, today()):
            if name in self and message not in self[name].errors:
                self[name].errors = [*self[name].errors, message]
                valid = False
        return valid


class IntakeForm(CrossChecked, FlaskForm, ConsentFields, PersonFields, CaseFields):
    """Consent, person and case in one form. A coordinator's answer to possible duplicates comes as
    the radio button `duplicate_choice` ("new" or an existing person's id), shown only when needed."""


class EditForm(CrossChecked, FlaskForm, PersonFields, CaseFields):
    version = HiddenField(validators=[InputRequired(), Regexp(r"^\d+$")])


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Note"), validators=[DataRequired(_l("Write the note first.")), Length(max=20000)])
    #: The notes a page offers are only those it shows; any note of the case may be named, and
    #: operations.add_note refuses one of another case.
    corrects = SelectField(_l("This note corrects"), choices=[], validators=[Optional()], default="", validate_choice=False)


class DocumentForm(FlaskForm):
    upload = FileField(_l("Document (PDF, JPEG or PNG)"), validators=[FileRequired(_l("Choose a file."))])


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Assign to"), coerce=int, choices=[])


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=choices.STATUSES)
    outcome = SelectField(_l("Outcome (when closing)"), choices=BLANK + choices.OUTCOMES, default="")

    def validate_outcome(self, field):
        if self.status.data == "closed" and not field.data:
            raise ValidationError(_l("Choose the outcome of a closed case."))


class ReferralForm(FlaskForm):
    partner = SelectField(_l("Partner organisation"), coerce=int, choices=[])
    purpose = TextAreaField(_l("Purpose of the referral"), validators=[DataRequired(_l("State the purpose.")), Length(max=2000)])


class SearchForm(FlaskForm):
    field = SelectField(
        _l("Search by"),
        choices=[
            ("name", _l("Name (a surname; given names or a birth year narrow it)")),
            ("phone", _l("Phone")),
            ("email", _l("E-mail")),
            ("telegram", _l("Telegram handle")),
            ("passport", _l("Passport number")),
        ],
    )
    value = StringField(
        _l("Surname, phone, e-mail, handle or passport number"), validators=[DataRequired(_l("Enter what to look for."))]
    )
    given_names = StringField(_l("Given names (for a name search)"), validators=[Optional()])
    birth_year = IntegerField(_l("Birth year (for a name search)"), validators=[Optional(), NumberRange(1900, 2100)])


class TagDecisionForm(FlaskForm):
    decision = SelectField(
        _l("Your decision"),
        choices=[
            ("confirmed", _l("Confirm: this proposal would help this person")),
            ("rejected", _l("Override: it does not apply")),
            ("added", _l("Override: it applies although the rules do not find it")),
        ],
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason for your decision.")), Length(max=2000)])


def not_in_past(form, field):
    if field.data and field.data < clock.today():
        raise ValidationError(_l("This date cannot be in the past."))


def consent_questions(partners) -> list[tuple[str, str]]:
    """What a consent decision can be about: storing, contact, and sharing with each active partner."""
    return [("store", _l("Storing the person's data")), ("contact", _l("Being contacted by the foundation"))] + [
        (f"share:{partner.id}", _l("Sharing the case with %(partner)s", partner=partner.name)) for partner in partners
    ]


class ConsentDecisionForm(FlaskForm):
    """The person's answer to one consent question, given, renewed or withdrawn on the case page."""

    question = SelectField(_l("Consent to"), choices=[])
    decision = SelectField(
        _l("The person"),
        choices=[("granted", _l("agrees (or renews their consent)")), ("withdrawn", _l("withdraws their consent"))],
    )
    method = SelectField(_l("How the person said so"), choices=choices.ASKED_CONSENT_METHODS)
    expires_on = DateField(
        _l("Until (optional)"), validators=[Optional(), bounds.plausible_date, not_in_past], render_kw={"autocomplete": "off"}
    )

    @property
    def scope(self) -> str:
        return self.question.data.split(":")[0]

    @property
    def partner_id(self) -> int | None:
        return int(self.question.data.split(":")[1]) if self.question.data.startswith("share:") else None


#: The intake's and edit form's sections in order: (key, title, fields, folded). What a volunteer asks on
#: the first call is open; the rest is folded until it holds an answer, and can be saved on its own.
SECTIONS = [
    ("name", _l("Name"), ("surname_latin", "given_names_latin"), False),
    ("other_names", _l("Name in Cyrillic script, or an alias"), ("surname_cyrillic", "given_names_cyrillic", "alias"), True),
    ("reach", _l("How to reach the person"), ("phone", "telegram", "no_contact_details"), False),
    ("other_channels", _l("Other ways to reach the person"), ("email", "signal"), True),
    ("where", _l("Where the person is and their situation"), ("location", "military_situation"), False),
    ("needs", _l("Needs"), ("needs",), False),
    (
        "person",
        _l("More about the person"),
        (
            "date_of_birth",
            "birth_year_estimated",
            "approximate_age",
            "sex",
            "citizenship",
            "other_citizenship",
            "languages",
            "city",
            "present_country_since",
            "passport_number",
            "address",
        ),
        True,
    ),
    (
        "military",
        _l("Military details"),
        (
            "deserted_on",
            "rank_group",
            "reserve_category",
            "specialty_code",
            "specialty_class",
            "fitness_category",
            "profession_class",
            "deferral",
            "deferral_until",
        ),
        True,
    ),
    (
        "summons",
        _l("Summons"),
        ("contact_kinds", "summons_purpose", "summons_posted_on", "summons_appear_on", "exit_ban", "exit_ban_on"),
        True,
    ),
    ("action", _l("What the person did"), ("action", "written_evidence"), True),
    (
        "netherlands",
        _l("Status and dates in the Netherlands"),
        (
            "dutch_status",
            "visa_issuing_state",
            "visa_limited_validity",
            "entry_on",
            "days_used",
            "permit_expires_on",
            "degree_country",
            "degree_completed_on",
            "research_permit",
            "asylum_applied_on",
            "asylum_decided_on",
        ),
        True,
    ),
    ("story", _l("Story"), ("narrative",), True),
]
SECTION_FIELDS = {key: fields for key, _title, fields, _folded in SECTIONS}


def relevant_sections(case) -> list[tuple[str, str]]:
    """The folded sections worth offering after the first call, by what is known: military details
    not for a woman, the summons not after "no contact from the military", Dutch status only for
    someone in the Netherlands. (key, title) in the form's order."""
    skip = set()
    if case.person.sex == "F":
        skip.add("military")
    if case.contact_kinds == "none":
        skip.add("summons")
    if case.location not in (None, "netherlands"):
        skip.add("netherlands")
    return [(key, title) for key, title, _fields, folded in SECTIONS if folded and key not in skip]


def saved_values(case) -> MultiDict:
    """The case's answers as a browser would post them, for saving one section on its own: the rest
    of the form keeps what is stored."""
    values = MultiDict()
    for _key, _title, fields, _folded in SECTIONS:
        for name in fields:
            owner = case if hasattr(type(case), name) else case.person
            value = getattr(owner, name, None)
            if value in (None, "", False):
                continue
            if name in ("needs", "contact_kinds", "languages"):
                values.setlist(name, value.split(","))
            elif value is True:
                values[name] = "y"
            else:
                values[name] = value.isoformat() if isinstance(value, date) else str(value)
    return values
