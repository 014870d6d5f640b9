from flask_wtf import FlaskForm
from wtforms import SelectField

from casework.config import LOCALES
from casework.i18n import LANGUAGE_NAMES, _l


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[(code, LANGUAGE_NAMES[code]) for code in LOCALES])
