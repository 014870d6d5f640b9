"""The case list's "Assigned to" filter: a coordinator finds the cases of any account that may hold
them, listed by address, including a volunteer who has since left and still holds open cases."""

import re

OPTION = re.compile(r'<select id="f-assignee" name="assignee">(.*?)</select>', re.S)


def assignee_options(client) -> list[str]:
    page = client.get("/cases/").get_data(as_text=True)
    block = OPTION.search(page)
    assert block, "the case list has no assignee filter"
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', block.group(1))


def test_the_filter_lists_volunteers_by_address_whatever_their_load(signed_in, make_user, create_case):
    """The assign forms put the least loaded volunteer first; a filter is read by name."""
    client, coordinator = signed_in("coordinator")
    busy = make_user("volunteer", email="anna.busy@casework.example.org")
    idle = make_user("volunteer", email="boris.idle@casework.example.org")
    for _ in range(2):
        create_case(by=coordinator, assignee=busy)
    assert assignee_options(client) == [busy.email, idle.email]


def test_a_volunteer_who_left_is_still_offered_and_their_cases_found(signed_in, make_user, create_case):
    client, coordinator = signed_in("coordinator")
    gone = make_user("volunteer", email="gone@casework.example.org", active=False)
    never_enrolled = make_user("volunteer", email="new@casework.example.org", enrolled=False)
    create_case(by=coordinator, assignee=gone, surname_latin="Leftbehind")
    create_case(by=coordinator, surname_latin="Elsewhere")
    assert {gone.email, never_enrolled.email} <= set(assignee_options(client))
    page = client.get(f"/cases/?assignee={gone.id}").get_data(as_text=True)
    assert "Leftbehind" in page
    assert "Elsewhere" not in page


def test_a_volunteer_sees_no_assignee_filter(signed_in):
    client, _volunteer = signed_in("volunteer")
    assert 'id="f-assignee"' not in client.get("/cases/").get_data(as_text=True)
