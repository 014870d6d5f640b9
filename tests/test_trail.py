"""The audit trail reads as sentences, in the reader's language, with every filter kept."""

import re
from pathlib import Path

from casework.trail.labels import ACTION_LABELS

SOURCE = Path(__file__).resolve().parent.parent / "casework"


def recorded_actions() -> set[str]:
    """Every action code the code can record: literal `audit.record("...")` calls and the named
    constants of flags and checks."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for first_argument in re.findall(r"record\(\s*([^,)]+)[,)]", text):
            found |= set(re.findall(r'"([a-z_]+)"', first_argument))
        found |= set(re.findall(r'^[A-Z_]*(?:FLAG|ACTION|CHECKED) = "([a-z_]+)"', text, re.MULTILINE))
    return found


def test_every_recorded_action_has_a_label():
    actions = recorded_actions()
    assert len(actions) > 30, "the scan must find the code's actions"
    assert actions - set(ACTION_LABELS) == set()


def test_the_trail_shows_labels_and_readable_times_in_the_readers_language(app, signed_in, create_case):
    client, coordinator = signed_in("coordinator")
    case_id = create_case(by=coordinator)
    client.get(f"/cases/{case_id}")
    page = client.get("/audit/?action=case_viewed", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    rows = re.findall(r"<tbody>.*</tbody>", page, re.S)[0]
    assert "case_viewed" not in rows, "the code is not what a reader sees"
    assert 'value="case_viewed" selected' in page, "the filter is kept"
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">', rows)


def test_filters_survive_paging(app, signed_in):
    client, coordinator = signed_in("coordinator")
    page = client.get(f"/audit/?actor={coordinator.id}&flagged=1&from=2026-01-01").get_data(as_text=True)
    assert 'value="2026-01-01"' in page and "checked" in page
