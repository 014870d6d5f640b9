"""The volunteers' help page: in each of the four languages, linked from the intake form."""

import pytest

from tests.test_cases_workflow import page_text

#: A phrase of each language's page: the consent question to read out.
CONSENT_QUESTION = {
    "en": "May we store your data?",
    "nl": "Mogen we uw gegevens bewaren?",
    "ru": "Можно ли нам сохранить ваши данные?",
    "uk": "Чи можемо ми зберегти ваші дані?",
}


@pytest.mark.parametrize("locale", list(CONSENT_QUESTION))
def test_the_help_page_is_written_in_each_language(app, signed_in, locale):
    client, _volunteer = signed_in("volunteer")
    page = page_text(client.get("/cases/help", headers={"Accept-Language": locale}))
    assert f'lang="{locale}"' in page
    assert CONSENT_QUESTION[locale] in page
    for other, phrase in CONSENT_QUESTION.items():
        if other != locale:
            assert phrase not in page
    for anchor in ('id="take"', 'id="consent"', 'id="proposals"', 'id="promise"'):
        assert anchor in page
    assert "P1" in page and "P2" in page and "P3" in page


def test_the_intake_links_to_the_help(app, signed_in):
    client, _volunteer = signed_in("volunteer")
    assert 'href="/cases/help"' in page_text(client.get("/cases/new"))


def test_an_advocate_has_no_help_page_for_casework(app, signed_in):
    client, _advocate = signed_in("advocate")
    assert client.get("/cases/help").status_code == 404
