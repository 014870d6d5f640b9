"""Choosing a language on the sign-in page: a plain form post, no script needed."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, path_of

ENGLISH_HEADING = "Sign in to Casework"
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


@pytest.mark.parametrize(
    ("code", "name"),
    [("nl", "Nederlands"), ("ru", "Русский"), ("uk", "Українська")],
    ids=["nl", "ru", "uk"],
)
def test_language_switch_on_the_sign_in_page(page, code, name):
    page.goto("/login")
    assert page.locator("html").get_attribute("lang") == "en"
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(ENGLISH_HEADING)
    assert page.locator("script").count() == 0, "Casework ships no script; the switch is a plain form"

    page.get_by_label("Language", exact=True).select_option(label=name)
    page.get_by_role("button", name="Change language", exact=True).click()

    expect(page.locator("html")).to_have_attribute("lang", code)
    assert path_of(page) == "/login", "the switch comes back to the page it was made on"
    expect(heading).not_to_have_text(ENGLISH_HEADING)
    translated = heading.inner_text()
    if code in ("ru", "uk"):
        assert CYRILLIC.search(translated), f"{code} heading is not in Cyrillic: {translated!r}"
    language_select = page.locator("select[name=locale]")
    expect(language_select).to_have_value(code)
    assert page.locator("label[for=language-choice]").inner_text() != "Language", "the form's own label is translated"
    assert page.get_by_role("button", name="Change language", exact=True).count() == 0
    assert_accessible(page, f"the sign-in page in {name}")

    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(heading).to_have_text(translated)
