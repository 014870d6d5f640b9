"""The table of cases shared by the case list, the unassigned queue, the week's new cases and the
possible duplicates: every kind of row it can hold, on each of them."""

from datetime import timedelta

import pytest
from flask_babel import format_date

from casework import clock
from casework.extensions import db
from casework.models import Case
from casework.people.erasure import erase_person
from tests.conftest import sign_in

NOBODY = dict(surname_latin=None, given_names_latin=None, surname_cyrillic=None, given_names_cyrillic=None)
TABLES = ["/cases/", "/cases/unassigned", "/cases/new-this-week"]


@pytest.fixture
def every_kind_of_row(app, make_user, create_case):
    """A coordinator's view of four open, unassigned cases: a named person with a deadline, flagged
    as a possible duplicate; someone known only by an alias, in a DEMO case; a person since erased;
    and a case assigned to a volunteer (absent from the unassigned queue)."""
    coordinator, volunteer = make_user("coordinator"), make_user("volunteer")
    due = clock.today() + timedelta(days=10)
    named = create_case(by=coordinator, permit_expires_on=due, phone="+79160000001", telegram="@named_one")
    alias = create_case(by=coordinator, **NOBODY, alias="Misha", phone="+79160000002", telegram="@alias_two")
    erased = create_case(by=coordinator, surname_latin="Erasova", phone="+79160000003", telegram="@erased_three")
    assigned = create_case(
        by=coordinator, assignee=volunteer, surname_latin="Volkov", phone="+79160000004", telegram="@assigned_four"
    )
    with app.app_context():
        db.session.get(Case, named).possible_duplicate = True
        db.session.get(Case, alias).is_demo = True
        erase_person(db.session.get(Case, erased).person)
        db.session.commit()
    client = app.test_client()
    sign_in(client, app, coordinator)
    return client, volunteer, due, {"named": named, "alias": alias, "erased": erased, "assigned": assigned}


@pytest.mark.parametrize("path", TABLES)
def test_each_kind_of_row_shows_what_the_table_promises(app, every_kind_of_row, path):
    client, volunteer, due, cases = every_kind_of_row
    response = client.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    with app.test_request_context():
        shown_due = format_date(due)
    for case_id in (cases["named"], cases["alias"], cases["erased"]):
        assert f'href="/cases/{case_id}"' in page
    assert "Sokolov Dmitri / Соколов Дмитрий" in page and "possible duplicate" in page and shown_due in page
    assert "&#34;Misha&#34; (alias)" in page and "DEMO" in page
    assert "(erased)" in page and "Erasova" not in page
    assigned_shown = f'href="/cases/{cases["assigned"]}"' in page
    assert assigned_shown == (path != "/cases/unassigned")
    assert (f'data-label="Assigned to">{volunteer.email}</td>' in page) == assigned_shown


def test_the_duplicates_queue_uses_the_same_table(app, every_kind_of_row):
    client, _volunteer, _due, cases = every_kind_of_row
    page = client.get("/cases/duplicates").get_data(as_text=True)
    assert f'href="/cases/{cases["named"]}"' in page and "Sokolov Dmitri / Соколов Дмитрий" in page
    assert f'href="/cases/{cases["alias"]}"' not in page
