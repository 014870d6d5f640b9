"""Forms of the import steps: the upload, the column and value mappings, and the confirmation."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from casework.cases.forms import other_countries
from casework.i18n import _, _l
from casework.imports import facts
from casework.imports.headers import fact_labels


class UploadForm(FlaskForm):
    upload = FileField(_l("Spreadsheet (XLSX or CSV)"), validators=[FileRequired(_l("Choose a file."))])


class ConfirmForm(FlaskForm):
    source = StringField(
        _l("Where the people's earlier consent is recorded (the file's name, or a label of your own)"),
        validators=[DataRequired(_l("Say where the consent is recorded.")), Length(max=200)],
    )
    vouch = BooleanField(
        _l("I vouch that every person in this file agreed earlier that the foundation stores their data"),
        validators=[DataRequired(_l("Without your confirmation nothing is imported."))],
    )


def mapping_form(headers, suggested: list[str]) -> FlaskForm:
    """One choice of fact per column, the column's header as its label, pre-set to `suggested`."""
    labels = fact_labels()
    options = [("", _("— leave this column out —"))] + sorted(
        ((name, label) for name, label in labels.items()), key=lambda item: item[1]
    )

    class MappingForm(FlaskForm):
        def validate(self, extra_validators=None):
            valid = super().validate(extra_validators)
            chosen = [(field, field.data) for field in self.columns() if field.data]
            if not chosen:
                self.form_errors.append(_("Choose the fact of at least one column."))
                return False
            seen = set()
            for field, fact in chosen:
                if fact in seen:
                    field.errors = [*field.errors, _("Another column already holds this fact.")]
                    valid = False
                seen.add(fact)
            return valid

        def columns(self):
            return [self[f"column_{index}"] for index in range(len(headers))]

        def facts(self) -> list[str]:
            return [field.data or "" for field in self.columns()]

    for index, header in enumerate(headers):
        default = suggested[index] if index < len(suggested) else ""
        setattr(
            MappingForm, f"column_{index}", SelectField(header or _("(column without a name)"), choices=options, default=default)
        )
    return MappingForm()


def values_form(unknown: dict[str, list[str]]) -> tuple[FlaskForm, list[tuple[str, str, str]]]:
    """One choice per unknown value of a coded column; returns the form and (field name, fact, value)."""
    labels, places = fact_labels(), []

    class ValuesForm(FlaskForm):
        pass

    for fact, values in sorted(unknown.items()):
        options = (
            other_countries()
            if fact == "other_citizenship"
            else [("", _("— leave unmapped: such rows fail —"))] + [(code, str(label)) for code, label in facts.CODED[fact]]
        )
        for value in values:
            name = f"value_{len(places)}"
            label = _("%(fact)s: “%(value)s”", fact=labels[fact], value=value)
            setattr(ValuesForm, name, SelectField(label, choices=options, default=""))
            places.append((name, fact, value))
    return ValuesForm(), places
