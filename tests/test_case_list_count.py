"""The case list's total is counted up to a bound and no further: past it the page says "more than
N", so the list costs the same with a thousand cases as with a hundred thousand."""

from sqlalchemy import select

from casework import paging
from casework.models import Case
from tests.statements import statements_during


def test_past_the_bound_the_list_says_more_than(app, signed_in, create_case, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_BOUND", 5)
    client, coordinator = signed_in("coordinator")
    for _ in range(7):
        create_case(by=coordinator)
    response = None

    def send():
        nonlocal response
        response = client.get("/cases/?status=all")

    statements = statements_during(app, send)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "more than 5 cases" in html and "cases in all" not in html
    counts = [s for s in statements if s.upper().startswith("SELECT COUNT(*)") and "FROM cases" in s]
    assert counts and all("LIMIT" in s.upper() for s in counts), counts


def test_within_the_bound_the_exact_total_is_shown(app, signed_in, create_case):
    client, coordinator = signed_in("coordinator")
    for _ in range(3):
        create_case(by=coordinator)
    html = client.get("/cases/?status=all").get_data(as_text=True)
    assert "3 cases in all" in html


def test_pages_past_the_bound_still_link_onwards(app, signed_in, create_case, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_BOUND", 2)
    client, coordinator = signed_in("coordinator")
    ids = [create_case(by=coordinator) for _ in range(3)]
    page = paging.bounded_page
    with app.test_request_context():
        first = page(select(Case).order_by(Case.created_at), page=1, per_page=2)
        second = page(select(Case).order_by(Case.created_at), page=2, per_page=2)
    assert first.total is None and first.more_than == 2 and first.has_next and not first.has_prev
    assert [case.id for case in first.items + second.items] == ids
    assert not second.has_next and second.has_prev and second.prev_num == 1
