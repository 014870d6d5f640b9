"""Languages: English, Dutch, Russian and Ukrainian catalogues that are complete and current, and the
choice of language (account, then browser session, then Accept-Language) with its switcher."""

import gettext
import subprocess
import sys
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import flask_babel
import flask_security
import pytest
from babel.messages.catalog import PYTHON_FORMAT
from babel.messages.pofile import read_po
from markupsafe import escape

from casework.cli import EXTRACT_ARGS
from casework.config import LOCALES, PROJECT_ROOT
from casework.extensions import db, security
from casework.models import User
from tests.conftest import csrf, csrf_from, sign_in

TRANSLATIONS = PROJECT_ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
TRANSLATED_LOCALES = [code for code in LOCALES if code != "en"]
FLASK_SECURITY_TEMPLATE = Path(flask_security.__file__).parent / "translations" / "flask_security.pot"


def _catalogue(path: Path, locale: str | None = None):
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def _messages(catalogue) -> dict:
    """The catalogue's messages by (msgid, msgctxt), without the header entry."""
    return {(message.id, message.context): message for message in catalogue if message.id}


def _show(keys) -> str:
    lines = [f"  {msgid!r}" + (f" (context {context!r})" if context else "") for msgid, context in keys]
    return "\n".join(sorted(lines))


def _placeholders(text: str) -> Counter:
    return Counter(match.group(0) for match in PYTHON_FORMAT.finditer(text))


def _untranslated(message, num_plurals: int) -> bool:
    if message.pluralizable:
        forms = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        return len(forms) != num_plurals or not all(forms)
    return not message.string


#: Flask-Security message ids whose placeholder is malformed upstream: Python reads "%(length) c" as a
#: %c conversion and would print a control character, so the translation must leave it out.
MALFORMED_PLACEHOLDERS = {"Value entered must be less than %(length) characters"}


def _placeholder_mismatches(template, translated) -> list[str]:
    """Translations whose python-format placeholders differ from their message id's: formatting
    them would fail or drop a value. Untranslated entries are left to the other tests."""
    problems = []
    for key, source in _messages(template).items():
        target = translated.get(key[0], context=key[1])
        if "python-format" not in source.flags or target is None or not target.string:
            continue
        if source.pluralizable:
            expected = _placeholders(source.id[1])
            forms = list(target.string)
        else:
            expected = Counter() if source.id in MALFORMED_PLACEHOLDERS else _placeholders(source.id)
            forms = [target.string]
        for form in forms:
            if form and _placeholders(form) != expected:
                found = sorted(_placeholders(form).elements())
                problems.append(f"  {source.id!r}: {form!r} has {found}, not {sorted(expected.elements())}")
    return problems


# Casework's own catalogue ----------------------------------------------------------------------


def test_template_is_up_to_date(tmp_path):
    """translations/messages.pot holds exactly the messages in the code and templates today, so no
    new text goes untranslated and no translator works on text that is gone."""
    fresh = tmp_path / "messages.pot"
    args = list(EXTRACT_ARGS)
    args[args.index("-o") + 1] = str(fresh)
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), *args], check=True, cwd=PROJECT_ROOT, capture_output=True)

    extracted = set(_messages(_catalogue(fresh)))
    committed = set(_messages(_catalogue(TEMPLATE)))
    missing, obsolete = extracted - committed, committed - extracted
    assert not missing and not obsolete, (
        "translations/messages.pot is stale; run `make translate-update` and translate the new messages.\n"
        f"In the code but missing from messages.pot:\n{_show(missing)}\n"
        f"In messages.pot but no longer in the code:\n{_show(obsolete)}"
    )


@pytest.mark.parametrize("lang", LOCALES)
def test_catalogue_has_every_message(lang):
    """Every message of the template has an entry in the language's catalogue."""
    catalogue = _catalogue(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", lang)
    missing = set(_messages(_catalogue(TEMPLATE))) - set(_messages(catalogue))
    assert not missing, f"{lang}/messages.po lacks messages; run `make translate-update`:\n{_show(missing)}"


@pytest.mark.parametrize("lang", LOCALES)
def test_catalogue_is_fully_translated(lang):
    """Every message of the template is translated into the language (every plural form too), so
    nobody meets English text in the middle of their own language."""
    catalogue = _catalogue(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", lang)
    empty = []
    for msgid, context in _messages(_catalogue(TEMPLATE)):
        message = catalogue.get(msgid, context=context)
        if message is not None and _untranslated(message, catalogue.num_plurals):
            empty.append((msgid, context))
    assert not empty, f"{len(empty)} untranslated messages in {lang}/messages.po:\n{_show(empty)}"


@pytest.mark.parametrize("lang", LOCALES)
def test_catalogue_has_no_fuzzy_entries(lang):
    """No entry (nor the header) is marked fuzzy: fuzzy translations are guesses that `pybabel
    compile` leaves out, and a fuzzy header makes it skip the whole catalogue."""
    catalogue = _catalogue(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", lang)
    assert not catalogue.fuzzy, f"the header of {lang}/messages.po is marked fuzzy"
    fuzzy = [key for key, message in _messages(catalogue).items() if message.fuzzy]
    assert not fuzzy, f"fuzzy entries in {lang}/messages.po; check and unmark them:\n{_show(fuzzy)}"


@pytest.mark.parametrize("lang", LOCALES)
def test_translations_keep_placeholders(lang):
    """A translation has the same %(name)s placeholders as its message id, or the page would break."""
    catalogue = _catalogue(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", lang)
    problems = _placeholder_mismatches(_catalogue(TEMPLATE), catalogue)
    assert not problems, f"placeholders differ in {lang}/messages.po:\n" + "\n".join(problems)


# The project's catalogues of Flask-Security's messages -----------------------------------------
# Flask-Security ships no Ukrainian catalogue, and its Dutch and Russian ones leave the second-factor
# heading and some sign-in errors in English and use other words than Casework does.


@pytest.mark.parametrize("lang", TRANSLATED_LOCALES)
def test_flask_security_catalogue_is_complete(lang):
    """Every message of the installed Flask-Security is translated, not fuzzy, so the sign-in and
    second-factor screens are entirely in the reader's language."""
    template = _catalogue(FLASK_SECURITY_TEMPLATE)
    catalogue = _catalogue(TRANSLATIONS / lang / "LC_MESSAGES" / "flask_security.po", lang)
    missing, empty, fuzzy = [], [], []
    for key in _messages(template):
        message = catalogue.get(key[0], context=key[1])
        if message is None:
            missing.append(key)
        elif _untranslated(message, catalogue.num_plurals):
            empty.append(key)
        elif message.fuzzy:
            fuzzy.append(key)
    assert not catalogue.fuzzy, f"the header of {lang}/flask_security.po is marked fuzzy"
    assert not (missing or empty or fuzzy), (
        f"{lang}/flask_security.po against Flask-Security {flask_security.__version__}:\n"
        f"missing:\n{_show(missing)}\nuntranslated:\n{_show(empty)}\nfuzzy:\n{_show(fuzzy)}"
    )


@pytest.mark.parametrize("lang", TRANSLATED_LOCALES)
def test_flask_security_catalogue_keeps_placeholders(lang):
    """Flask-Security messages keep the %(name)s placeholders of the originals (and leave out the
    one upstream placeholder that would print a control character)."""
    template = _catalogue(FLASK_SECURITY_TEMPLATE)
    catalogue = _catalogue(TRANSLATIONS / lang / "LC_MESSAGES" / "flask_security.po", lang)
    problems = _placeholder_mismatches(template, catalogue)
    assert not problems, f"placeholders differ in {lang}/flask_security.po:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", TRANSLATED_LOCALES)
def test_second_factor_heading_comes_from_the_project_catalogue(app, lang):
    """The second-factor page's heading, left in English by Flask-Security's own Dutch and Russian
    catalogues, is translated, and it is the project's translation that the app uses."""
    _compiled(lang, "flask_security")
    catalogue = _catalogue(TRANSLATIONS / lang / "LC_MESSAGES" / "flask_security.po", lang)
    with app.test_request_context("/login", headers={"Accept-Language": lang}):
        heading = security.i18n_domain.gettext("Two-Factor Authentication")
    assert heading == catalogue.get("Two-Factor Authentication").string != "Two-Factor Authentication"


# The app uses the compiled catalogues ----------------------------------------------------------


def _compiled(lang: str, domain: str = "messages") -> Path:
    mo = TRANSLATIONS / lang / "LC_MESSAGES" / f"{domain}.mo"
    if not mo.exists():
        pytest.fail(
            f"{mo.relative_to(PROJECT_ROOT)} is missing: run `make translations` "
            "(the Makefile compiles the catalogues before running tests)"
        )
    return mo


def _html_lang(response) -> str | None:
    page = _Page()
    page.feed(response.get_data(as_text=True))
    return page.html_lang


@pytest.mark.parametrize("lang", TRANSLATED_LOCALES)
def test_sign_in_page_uses_the_compiled_catalogues(app, client, lang):
    """With Accept-Language set, the sign-in page is marked as that language and shows the compiled
    translations: Flask-Security's (the sign-in button is not the English "Login") and Casework's."""
    _compiled(lang)
    _compiled(lang, "flask_security")
    with app.test_request_context("/login", headers={"Accept-Language": lang}):
        button = security.i18n_domain.gettext("Login")
    with _compiled(lang).open("rb") as file:
        heading = gettext.GNUTranslations(file).gettext("Sign in to Casework")
    assert button != "Login", f"Flask-Security has no {lang} translation of 'Login'"

    response = client.get("/login", headers={"Accept-Language": lang})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _html_lang(response) == lang
    assert f'<button type="submit">{escape(button)}</button>' in html
    assert '<button type="submit">Login</button>' not in html
    assert f"<h1>{escape(heading)}</h1>" in html


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_no_doubled_full_stop_after_a_date(app, lang):
    """A medium date ends in "г." in Russian and "р." in Ukrainian, so a sentence whose translation
    ends with the date would show "г.." (as "Covered by the policy in force since %(date)s." once
    did); every message with a date, rendered as the pages render it, has no doubled full stop."""
    _compiled(lang)
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        date_text = flask_babel.format_date(date(2026, 12, 2))
        assert date_text.endswith("."), f"the {lang} medium date no longer ends in a full stop"
        doubled = []
        for (msgid, context), message in _messages(_catalogue(TEMPLATE)).items():
            if message.pluralizable or context or "%(date)s" not in msgid:
                continue
            values = {
                match.group(1): 1 if match.group(3) in "di" else "X" for match in PYTHON_FORMAT.finditer(msgid) if match.group(1)
            }
            text = flask_babel.gettext(msgid, **{**values, "date": date_text})
            if ".." in text:
                doubled.append(f"  {msgid!r}: {text!r}")
    assert not doubled, f"doubled full stop after a date in {lang}:\n" + "\n".join(doubled)


# Which language a page is in -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("nl", "nl"),
        ("ru-RU,ru;q=0.9,en;q=0.5", "ru"),
        ("de-DE,uk;q=0.8,nl;q=0.5", "uk"),
        ("de", "en"),
        (None, "en"),
    ],
)
def test_accept_language_chooses_when_nothing_else_does(client, header, expected):
    """A visitor who has chosen nothing gets the best match from their browser's languages, and
    English when none of theirs is offered."""
    headers = {"Accept-Language": header} if header else {}
    assert _html_lang(client.get("/login", headers=headers)) == expected


def _choose(client, locale: str, next_path: str, token: str, **headers):
    return client.post("/language", data={"locale": locale, "next": next_path, "csrf_token": token}, headers=headers)


def test_switcher_overrides_accept_language_for_a_visitor(app, client):
    """The language switcher works before signing in, wins over Accept-Language for this browser
    session, and returns to the page it was used on."""
    response = _choose(client, "uk", "/login", csrf(client), **{"Accept-Language": "nl"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert _html_lang(client.get("/login", headers={"Accept-Language": "nl"})) == "uk"
    assert _html_lang(app.test_client().get("/login", headers={"Accept-Language": "nl"})) == "nl", (
        "the choice belongs to one browser session only"
    )


def test_switcher_ignores_a_language_not_offered(client):
    """A locale outside the four offered changes nothing."""
    _choose(client, "de", "/login", csrf(client))
    assert _html_lang(client.get("/login", headers={"Accept-Language": "ru"})) == "ru"


@pytest.mark.parametrize(
    "next_path",
    ["https://evil.example/", "//evil.example", "///evil.example", "/\\evil.example", "javascript:alert(1)"],
)
def test_switcher_redirects_only_to_a_local_path(client, next_path):
    """The switcher's `next` cannot send anyone to another site (no open redirect): it falls back to /."""
    response = _choose(client, "nl", next_path, csrf(client))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_signed_in_choice_is_saved_on_the_account(app, signed_in):
    """A signed-in user's choice is stored on their account and, after signing in again in a new
    browser session, wins over the browser's Accept-Language."""
    client, user = signed_in("volunteer")
    home = client.get("/").get_data(as_text=True)
    response = _choose(client, "ru", "/", csrf_from(home))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert _html_lang(client.get("/", headers={"Accept-Language": "nl"})) == "ru"
    with app.app_context():
        assert db.session.get(User, user.id).locale == "ru"

    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    assert _html_lang(other.get("/login")) == "nl", "before sign-in nobody knows whose browser it is"
    response = sign_in(other, app, user, steps_ahead=1)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert _html_lang(other.get("/")) == "ru"


# The switcher itself -----------------------------------------------------------------------------


class _Page(HTMLParser):
    """The page's <html lang>, its labels, and for each form its action and the tags inside it."""

    def __init__(self):
        super().__init__()
        self.html_lang = None
        self.labels = set()
        self.forms = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        elif tag == "label" and attributes.get("for"):
            self.labels.add(attributes["for"])
        if tag == "form":
            self._form = {"action": attributes.get("action"), "tags": []}
            self.forms.append(self._form)
        elif self._form is not None:
            self._form["tags"].append((tag, attributes))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _assert_language_switcher(html: str) -> None:
    page = _Page()
    page.feed(html)
    switchers = [form for form in page.forms if form["action"] == "/language"]
    assert len(switchers) == 1, "no language switcher (a form posting to /language) on the page"
    tags = switchers[0]["tags"]
    selects = [attrs for tag, attrs in tags if tag == "select" and attrs.get("name") == "locale"]
    assert len(selects) == 1, "the language switcher has no <select name=locale>"
    assert selects[0].get("id") in page.labels, "the language <select> has no <label for=...>"
    options = [attributes.get("value") for tag, attributes in tags if tag == "option"]
    assert sorted(options) == sorted(LOCALES)
    assert any(tag == "button" for tag, _ in tags), "the language switcher has no submit button"
    hidden = {attributes.get("name") for tag, attributes in tags if tag == "input"}
    assert {"csrf_token", "next"} <= hidden


def test_switcher_is_on_the_sign_in_page(client):
    """Anyone can pick their language before signing in; the <select> is labelled for screen readers."""
    _assert_language_switcher(client.get("/login").get_data(as_text=True))


def test_switcher_is_on_the_home_page(signed_in):
    """The switcher is on the signed-in home page too."""
    client, _user = signed_in("coordinator")
    _assert_language_switcher(client.get("/").get_data(as_text=True))
