"""Whom a coordinator is offered first when assigning: the least loaded volunteers, their open cases
counted only up to a bound, so that the assign form on every case page stays cheap however many
cases a busy volunteer has had."""

from sqlalchemy import update

from casework.cases import queues
from casework.extensions import db
from casework.models import Case


def _give(app, create_case, coordinator, volunteer, open_cases: int, closed_cases: int = 0) -> None:
    for serial in range(open_cases + closed_cases):
        case_id = create_case(coordinator, assignee=volunteer, phone=f"+7916{serial:07d}")
        if serial >= open_cases:
            with app.app_context():
                db.session.execute(update(Case).where(Case.id == case_id).values(status="closed"))
                db.session.commit()


def _offered(app) -> list[str]:
    with app.app_context():
        return [user.email for user in queues.assignable_volunteers()]


def test_the_least_loaded_come_first_and_closed_cases_do_not_count(app, make_user, create_case):
    coordinator = make_user("coordinator")
    busy = make_user("volunteer", email="a-busy@casework.example.org")
    idle = make_user("volunteer", email="b-idle@casework.example.org")
    finished = make_user("volunteer", email="c-finished@casework.example.org")
    _give(app, create_case, coordinator, busy, open_cases=2)
    _give(app, create_case, coordinator, finished, open_cases=0, closed_cases=3)
    assert _offered(app) == [idle.email, finished.email, busy.email]


def test_past_the_bound_the_busy_are_equal_and_ordered_by_address(app, make_user, create_case, monkeypatch):
    monkeypatch.setattr(queues, "LOAD_COUNTED_UP_TO", 2)
    coordinator = make_user("coordinator")
    busiest = make_user("volunteer", email="a-busiest@casework.example.org")
    busy = make_user("volunteer", email="b-busy@casework.example.org")
    light = make_user("volunteer", email="c-light@casework.example.org")
    _give(app, create_case, coordinator, busiest, open_cases=4)
    _give(app, create_case, coordinator, busy, open_cases=2)
    _give(app, create_case, coordinator, light, open_cases=1)
    # Counted up to 2, the two busy volunteers tie and go by address; an uncounted order would put
    # b-busy (2) before a-busiest (4).
    assert _offered(app) == [light.email, busiest.email, busy.email]


def test_volunteers_who_cannot_work_are_not_offered(app, make_user):
    ready = make_user("volunteer")
    make_user("volunteer", enrolled=False)
    make_user("volunteer", active=False)
    make_user("coordinator")
    assert _offered(app) == [ready.email]
