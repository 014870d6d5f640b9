"""No exact count of cases or tags outside the case area.

An administrator reads no case, so the admin pages and messages must not count them either: a count
of open cases, of cases a re-evaluation changed, or a job's progress out of a total would each give
an exact (or near) number, and a crafted baseline would turn the count of changed tags into the
number of any group, again and again. The audit trail counts its rows, but only for the roles that
read the rows themselves (coordinators and admins), so the count tells them nothing new.
Statistics pages show only noisy, published numbers (tests/test_stats.py, attack 3).
"""

import re
import uuid

import pytest
from sqlalchemy import select

from casework import jobs
from casework.extensions import db
from casework.models import AuditEvent, Job
from tests.conftest import csrf_from

#: The number of open cases: unlikely to appear on a page for any other reason.
OPEN_CASES = 13


def text_of(response) -> str:
    page = response.get_data(as_text=True)
    main = page[page.index('<main id="main">') : page.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def numbers_in(text: str) -> set[int]:
    return {int(number) for number in re.findall(r"(?<![\d.,:-])\d+(?![\d.,:-])", text)}


@pytest.fixture
def open_cases(signed_in, create_case):
    _client, volunteer = signed_in("volunteer")
    for index in range(OPEN_CASES):
        create_case(
            by=volunteer, surname_latin=f"Open{uuid.uuid4().hex[:6]}", phone=f"+3161234{index:04d}", telegram=f"@open{index}"
        )


def test_the_baselines_page_and_reevaluation_give_no_count(app, signed_in, open_cases):
    admin_client, _admin = signed_in("admin")
    assert OPEN_CASES not in numbers_in(text_of(admin_client.get("/admin/baselines")))
    token = csrf_from(admin_client.get("/admin/baselines").get_data(as_text=True))
    started = admin_client.post("/admin/baselines/reevaluate", data={"csrf_token": token}, follow_redirects=True)
    assert OPEN_CASES not in numbers_in(text_of(started))
    with app.app_context():
        assert jobs.run_queued() == 1
        details = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action.in_(("cases_reevaluated", "job_finished")))
        ).all()
    assert details and not any(str(OPEN_CASES) in (detail or "") for detail in details), details
    assert OPEN_CASES not in numbers_in(text_of(admin_client.get("/admin/jobs")))


def test_a_running_jobs_progress_does_not_give_its_total(app, signed_in, make_user):
    """200 of 1,300 cases done would show as 15%, and 200 / 15% is about the number of open cases:
    a running job shows that it runs, not how far."""
    admin_client, admin = signed_in("admin")
    with app.app_context():
        db.session.add(
            Job(id=str(uuid.uuid4()), kind="reevaluate", state="running", done=200, total=1300, requested_by_id=admin.id)
        )
        db.session.commit()
    page = admin_client.get("/admin/jobs").get_data(as_text=True)
    progress = re.findall(r"<progress[^>]*>[^<]*</progress>", page)
    assert progress and not any(re.search(r"\d", element.replace('max="100"', "")) for element in progress), progress


@pytest.mark.parametrize("role", ["volunteer", "advocate"])
def test_the_trail_and_its_row_count_are_only_for_those_who_read_its_rows(signed_in, role):
    client, _user = signed_in(role)
    assert client.get("/audit/").status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_readers_of_the_trail_see_its_rows_and_their_count(signed_in, role):
    client, _user = signed_in(role)
    page = client.get("/audit/")
    assert page.status_code == 200 and re.search(r"<caption>\s*\d+ rows?\s*</caption>", page.get_data(as_text=True))
