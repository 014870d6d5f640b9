"""casework/babel_domain.py keeps each language's catalogue, and the last one beside its locale: every
string must still come out in the language asked for, however the languages follow one another."""

import flask_babel
import pytest

from casework.i18n import _, _l

#: A string of the project's catalogue, with its translations (translations/*/messages.po).
STRING = "Add note"


@pytest.fixture
def expected(app):
    with app.app_context():
        found = {}
        for lang in ("en", "nl", "ru", "uk"):
            with flask_babel.force_locale(lang):
                found[lang] = flask_babel.Domain().gettext(STRING)
    assert len(set(found.values())) == 4, found
    return found


def test_languages_in_turn_in_one_context_each_get_their_own(app, expected):
    """The digests write to one reader after another within one app context."""
    with app.app_context():
        for lang in ("ru", "nl", "ru", "uk", "uk", "en", "nl"):
            with flask_babel.force_locale(lang):
                assert _(STRING) == expected[lang]
                assert str(_l(STRING)) == expected[lang]


def test_requests_in_turn_each_get_the_language_they_asked_for(app, expected):
    for lang in ("nl", "ru", "ru", "en", "uk", "nl"):
        with app.test_request_context("/", headers={"Accept-Language": lang}):
            assert _(STRING) == expected[lang]
            rendered = app.jinja_env.from_string("{{ _('" + STRING + "') }}").render()
            assert rendered == expected[lang]
