from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from casework.bounds import plausible_date
from casework.i18n import ROLE_LABELS, _l


def _role_choices():
    return [SelectChoice(name, label) for name, label in ROLE_LABELS.items()]


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter an e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=255),
        ],
    )
    role = SelectField(_l("Role"), choices=_role_choices(), validators=[DataRequired()])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=_role_choices(), validators=[DataRequired()])


class PartnerForm(FlaskForm):
    name = StringField(_l("Organisation name"), validators=[DataRequired(_l("Enter the organisation's name.")), Length(max=200)])


class BaselineForm(FlaskForm):
    upload = FileField(_l("Baseline file (TOML)"), validators=[FileRequired(_l("Choose a file."))])


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name (which channel uses it, e.g. Telegram bot)"),
        validators=[DataRequired(_l("Give the token a name.")), Length(max=100)],
    )
    scope = SelectField(
        _l("Scope"),
        choices=[
            ("intake", _l("intake: submit requests for help (reads nothing back)")),
            ("statistics", _l("statistics: read published statistics releases")),
        ],
    )
    expires_on = DateField(
        _l("Last day it works (optional)"), validators=[Optional(), plausible_date], render_kw={"autocomplete": "off"}
    )
