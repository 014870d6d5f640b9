"""A baseline's description is data in every language, beside the baseline, like the rules' explanations."""

import pytest

from casework.rules import engine

BASE = """version = "2027-test"
effective_from = 2027-01-01
{description}
[coverage]
R1 = [{{ from = 2022-01-01, covered = "no" }}]
"""


def parse(description: str) -> engine.Baseline:
    return engine.parse_baseline(BASE.format(description=description), engine.rules_by_id(), "test.toml", strict=False)


def test_the_shipped_baseline_is_described_in_every_language():
    shipped = engine.built_in_baseline()
    assert set(shipped.description) == {"en", "nl", "ru", "uk"}
    assert "мораторий" in shipped.description_in("ru") and "moratorium" in shipped.description_in("nl")


def test_one_text_is_english_and_stands_in_for_every_language():
    baseline = parse('description = "Only English."')
    assert baseline.description_in("uk") == "Only English."


@pytest.mark.parametrize(
    "description",
    ['[description]\nnl = "Alleen Nederlands."', '[description]\nen = "x"\nfr = "y"', "description = 3"],
)
def test_a_description_without_english_or_in_an_unknown_language_is_refused(description):
    with pytest.raises(engine.RuleFileError, match="description"):
        parse(description)


def test_the_baselines_page_shows_the_readers_language(app, signed_in):
    client, _ = signed_in("admin")
    page = client.get("/admin/baselines", headers={"Accept-Language": "uk"}).get_data(as_text=True)
    assert "Нідерландський мораторій" in page
