"""A coordinator's queues (unassigned, missing information, new this week, possible duplicates) are
read a page at a time, their totals counted only up to a bound: with a hundred thousand open cases a
queue can hold thousands, and every one of them was read, decrypted and rendered on each visit."""

import re

import pytest

from casework import paging
from casework.extensions import db
from casework.models import Case
from tests.statements import statements_during
from tests.test_rules_tags import R4_CASE

QUEUES = ["/cases/unassigned", "/cases/missing", "/cases/new-this-week", "/cases/duplicates"]


@pytest.fixture
def three_in_every_queue(app, signed_in, create_case, monkeypatch):
    """Three open, unassigned cases opened this week, flagged as possible duplicates and missing a
    date of birth; queues show two cases to a page."""
    monkeypatch.setattr("casework.cases.routes.PAGE_SIZE", 2)
    client, coordinator = signed_in("coordinator")
    names = [f"Ocheredov-{n}" for n in range(3)]
    for n, name in enumerate(names):
        case_id = create_case(
            by=coordinator, **{**R4_CASE, "date_of_birth": None, "surname_latin": name, "phone": f"+7916111004{n}"}
        )
        with app.app_context():
            db.session.get(Case, case_id).possible_duplicate = True
            db.session.commit()
    return client, names


def _shown(html: str, names: list[str]) -> set[str]:
    return {name for name in names if name in html}


@pytest.mark.parametrize("queue", QUEUES)
def test_a_queue_shows_a_page_and_links_to_the_next(three_in_every_queue, queue):
    client, names = three_in_every_queue
    first = client.get(queue).get_data(as_text=True)
    assert len(_shown(first, names)) == 2, queue
    assert "Page 1 of 2" in first and re.search(r'href="[^"]*page=2', first), queue
    second = client.get(f"{queue}?page=2").get_data(as_text=True)
    assert len(_shown(second, names)) == 1 and _shown(first, names) | _shown(second, names) == set(names), queue
    assert "Page 2 of 2" in second and re.search(r'href="[^"]*page=1', second), queue


@pytest.mark.parametrize("queue", QUEUES)
def test_past_the_bound_a_queue_counts_no_further(app, three_in_every_queue, monkeypatch, queue):
    monkeypatch.setattr(paging, "COUNT_BOUND", 2)
    client, names = three_in_every_queue
    html = ""

    def send():
        nonlocal html
        html = client.get(queue).get_data(as_text=True)

    statements = statements_during(app, send)
    assert len(_shown(html, names)) == 2 and "Page 1" in html and "Page 1 of" not in html, queue
    case_reads = [s for s in statements if "FROM cases" in s and "LIMIT" not in s.upper()]
    assert not case_reads, f"{queue} read cases without a limit: {case_reads}"
