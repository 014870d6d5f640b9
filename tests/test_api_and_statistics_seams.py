"""Where the JSON API and the statistics meet: what an intake channel (public-facing: anyone can
talk to the Telegram bot) or a statistics token can learn, spend or bypass.

Each test is a story asserting the safe behaviour: it fails if the leak exists.
"""

import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from casework import clock, jobs
from casework.cases import operations as case_operations
from casework.extensions import db
from casework.models import AuditEvent, Case, CountedPerson, LedgerEntry, Release
from casework.stats import contributors, operations
from casework.stats.catalogue import first_case_rows
from tests.api_fixtures import bearer, intake_body
from tests.test_stats import IN_Q2, IN_Q3, Q2, Q3, add_people, own_identifiers, publish

INTAKE_URL = "/api/v1/intake"


@pytest.fixture
def staff(make_user):
    return {"admin": make_user("admin"), "coordinator": make_user("coordinator")}


def _consent() -> dict:
    given_at = (clock.utcnow() - timedelta(minutes=3)).isoformat(timespec="seconds") + "+00:00"
    return {"version": "2026-11", "given_at": given_at, "contact": False}


def _target() -> dict:
    """A person's identifiers, as someone who knows a lot about them would know them."""
    ids = own_identifiers()
    mark = uuid.uuid4().hex[:8]
    return {
        **ids,
        "given_names_latin": "Dmitri",
        "given_names_cyrillic": "Дмитрий",
        "date_of_birth": date(1994, 2, 3),
        "email": f"t{mark}@example.org",
        "passport_number": f"75{uuid.uuid4().int % 10**7:07d}",
    }


def _probes(target: dict) -> list[dict]:
    """One intake per identifier of the target, each carrying that identifier alone (otherwise an
    alias and a Signal handle, which is not indexed): they share nothing with one another."""

    def own(**person):
        return {"signal": f"@s{uuid.uuid4().hex[:12]}", **person}

    year = target["date_of_birth"].year
    return [
        {"alias": "probe", "email": target["email"]},
        {"alias": "probe", "phone": target["phone"]},
        {"alias": "probe", "telegram": target["telegram"]},
        own(alias="probe", passport_number=target["passport_number"]),
        own(surname_latin=target["surname_latin"], given_names_latin=target["given_names_latin"]),
        own(surname_cyrillic=target["surname_cyrillic"], given_names_cyrillic=target["given_names_cyrillic"]),
        own(surname_latin=target["surname_latin"], date_of_birth=f"{year}-07-01"),
        own(surname_cyrillic=target["surname_cyrillic"], date_of_birth=f"{year}-11-11"),
    ]


def _submit(app, client, secret: str, people: list[dict]) -> list[str]:
    """Send each through the intake API, run the queued duplicate checks, and place the cases in
    2026Q3 (the API logs them today; the quarter only has to be a closed one), a day after anyone
    logged there by `add_people`. Returns person ids."""
    references = []
    for person in people:
        body = {
            "consent": _consent(),
            "person": person,
            "case": {"location": "georgia", "military_situation": "mobilised", "needs": ["legal_advice"]},
        }
        response = client.post(INTAKE_URL, json=body, headers=bearer(secret))
        assert response.status_code == 201, response.get_data(as_text=True)
        references.append(response.json["reference"])
    with app.app_context():
        jobs.run_queued()
        person_ids = []
        for reference in references:
            case = db.session.get(Case, reference)
            case.created_at = IN_Q3 + timedelta(days=1)  # after a target logged in 2026Q3
            case_operations.refresh_coded_facts(case)
            person_ids.append(case.person_id)
        db.session.commit()
    return person_ids


def _counted(app, period: str, people: list[str]) -> int:
    """How many of `people` the release of `period` would count now (its plan, before noise)."""
    with app.app_context():
        rows = first_case_rows(period)
        plan = contributors.plan(period, {row[0] for row in rows})
        return len(set(people) & plan.counted)


@pytest.mark.parametrize("target_released_first", [True, False], ids=["target-released-in-Q2", "target-in-Q3"])
def test_intake_probes_cannot_make_one_persons_presence_move_a_release_by_more_than_one(
    app, client, make_token, staff, target_released_first
):
    """An adversary who knows a target's identifiers sends, through the public intake channel, one
    request per identifier (e-mail, phone, Telegram, passport, names, surname with birth year), each
    sharing nothing else. If the target is known, every probe is flagged a possible duplicate of
    them and joins their group, which counts once; if not, each probe is a person of its own. The
    quarter's tables then differ by up to eight between "known" and "not known": one person's
    presence must change a release by at most one (statistics.md, point 1; S21)."""
    _token_id, secret = make_token("intake", name="Telegram bot")
    known = _target()
    add_people(app, staff["coordinator"], 1, IN_Q2 if target_released_first else IN_Q3, **known)
    if target_released_first:
        publish(app, Q2, staff["admin"])
    absent = _target()  # a person the foundation has never heard of: the neighbouring world
    probes_of_known = _submit(app, client, secret, _probes(known))
    probes_of_absent = _submit(app, client, secret, _probes(absent))
    with app.app_context():
        flagged = db.session.scalar(
            select(func.count()).select_from(Case).where(Case.person_id.in_(probes_of_known), Case.possible_duplicate)
        )
    counted_if_known = _counted(app, Q3, probes_of_known)
    counted_if_absent = _counted(app, Q3, probes_of_absent)
    # With the target present their own record may count once in Q3 (when not released in Q2).
    target_in_q3 = 0 if target_released_first else 1
    shift = abs((counted_if_known + target_in_q3) - counted_if_absent)
    assert shift <= 1, (
        f"whether the target is known moves the {Q3} total by {shift} people "
        f"({counted_if_known + target_in_q3} if known, {counted_if_absent} if not; {flagged} probes flagged): "
        "probes sent through the intake API amplify one person's contribution past the sensitivity of 1"
    )


def test_the_rate_limit_is_spent_by_calls_of_the_wrong_scope_too(app, client, make_token):
    """Probing what a token may call costs its budget: the guard counts before the scope (api.md)."""
    app.config["CASEWORK_API_RATE_LIMIT"] = "3 per minute"
    _token_id, secret = make_token("intake")
    for _ in range(3):
        assert client.get("/api/v1/releases", headers=bearer(secret)).status_code == 404
    refused = client.post(INTAKE_URL, json=intake_body(), headers=bearer(secret))
    assert refused.status_code == 429, "calls refused for scope did not count against the token's rate limit"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_statistics_token_can_neither_compute_nor_spend_budget(app, client, make_token, staff):
    """A closed, unreleased quarter asked for through the API is 404 and nothing is requested,
    drawn or charged; a requested one stays unseen; the published one is the page's JSON exactly."""
    _token_id, secret = make_token("statistics")
    add_people(app, staff["coordinator"], 12, IN_Q3)
    add_people(app, staff["coordinator"], 12, IN_Q2)
    with app.app_context():
        operations.request_release(Q2, None)
        db.session.commit()
    for period in (Q3, Q2, "2026Q3.json", "2026q3", "2026Q3 ", "..%2F2026Q3"):
        assert client.get(f"/api/v1/releases/{period}", headers=bearer(secret)).status_code == 404, period
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
        assert db.session.scalars(select(Release.period)).all() == [Q2]
    published, _internal = publish(app, Q3, staff["admin"])
    answer = client.get(f"/api/v1/releases/{Q3}", headers=bearer(secret)).json
    assert [[c["value"] for c in t["cells"]] + [t["total"]] for t in answer["tables"]] == [
        [c["value"] for c in t["cells"]] + [t["total"]] for t in published["tables"]
    ]
    assert answer["released_on"] == published["released_on"]
    assert set(answer) == {"id", "period", "released_on", "epsilon_for_the_period", "display_rule", "privacy_unit", "tables"}
    assert "internal" not in json.dumps(answer) and "reconciled" not in json.dumps(answer)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/releases/Zvyagintsev"),
        ("GET", "/api/v1/Zvyagintsev"),
        ("DELETE", "/api/v1/releases/Zvyagintsev"),
        ("GET", "/api/v1/releases?surname=Zvyagintsev"),
        ("POST", "/api/v1/intake?surname=Zvyagintsev"),
    ],
)
def test_no_problem_echoes_what_was_put_in_the_address(client, make_token, method, path):
    """A channel that puts a person's name in a URL by mistake gets it back in no error."""
    _token_id, secret = make_token("statistics")
    response = client.open(path, method=method, headers=bearer(secret), json={"surname": "Zvyagintsev"})
    assert response.mimetype == "application/problem+json" or response.status_code == 200, (method, path)
    assert "Zvyagintsev" not in response.get_data(as_text=True)
    assert all("Zvyagintsev" not in value for _name, value in response.headers.items())


def test_the_audit_and_the_ledger_of_a_release_hold_no_count(app, client, make_token, staff):
    """Cases taken in through the API, then a release: its audit rows name the period only, and its
    ledger rows hold epsilons only, whatever the number of people."""
    _token_id, secret = make_token("intake")
    _submit(app, client, secret, [{"alias": f"person {n}", "signal": f"@s{uuid.uuid4().hex[:12]}"} for n in range(13)])
    publish(app, Q3, staff["admin"])
    with app.app_context():
        details = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action.in_(("release_requested", "release_published")))
        ).all()
        assert details and set(details) == {Q3}
        columns = {column.name for column in LedgerEntry.__table__.columns}
        assert columns == {"id", "period", "table_id", "epsilon", "borrowed", "overlapping", "release_id", "reserved_at"}


def test_one_persons_presence_changes_the_tables_of_one_quarter_only(app, client, make_token, staff):
    """The ledger charges the lifetime cap only for the most expensive quarter, on the ground that
    quarters hold disjoint people (ledger.py, statistics.md point 6). A man logged in 2026Q2 and
    released there; his brother, who shares his phone, writes to the Telegram bot in 2026Q3 and is
    flagged a possible duplicate. With the man present, the brother joins his group (fixed to
    2026Q2) and is not counted in 2026Q3; with the man absent, the brother counts in 2026Q3. So
    the man's presence changes two quarters' releases, and they do not compose in parallel."""
    _token_id, secret = make_token("intake", name="Telegram bot")
    man, stranger = _target(), _target()
    ((_case, man_id),) = add_people(app, staff["coordinator"], 1, IN_Q2, **man)
    publish(app, Q2, staff["admin"])
    with app.app_context():  # the 2026Q2 release counted the man himself: his presence moved it by one
        q2_change = int(db.session.get(CountedPerson, man_id).period == Q2)
    brother = _submit(app, client, secret, [{"surname_latin": f"Brother{uuid.uuid4().hex[:6]}", "phone": man["phone"]}])
    brother_of_absent = _submit(
        app, client, secret, [{"surname_latin": f"Brother{uuid.uuid4().hex[:6]}", "phone": stranger["phone"]}]
    )
    q3_change = abs(_counted(app, Q3, brother) - _counted(app, Q3, brother_of_absent))
    quarters_changed = int(q2_change > 0) + int(q3_change > 0)
    assert quarters_changed <= 1, (
        f"one person's presence changes {quarters_changed} quarters' releases ({Q2} by {q2_change}, {Q3} by {q3_change}): "
        "periods are not disjoint populations, yet the lifetime cap is charged only for the most expensive period"
    )
