"""Proposal tags with the app and its database (domain.md, the three proposals and the rule table):
tags stored whenever a case is saved, shown on the case page in the reader's language, missing
information asked for and queued, confirmations and overrides with an encrypted reason that survive
re-evaluation, the coordinator's filters, policy baselines uploaded by an admin and applied to open
cases, and the `flask rules` commands."""

import html
import io
import re
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select, text

from casework import clock, jobs
from casework.cases import operations
from casework.extensions import db
from casework.models import AuditEvent, Case, CaseTag, PolicyBaseline, User
from casework.rules import engine
from tests.conftest import csrf, csrf_from
from tests.factories import INTAKE

RULES = engine.rules_by_id()
SHIPPED_BASELINE = engine.HERE / "baselines" / "2022-06-29.toml"
REASON = "He showed a Dutch work permit valid until 2029; the moratorium question does not arise."


def aged(years: int) -> date:
    """A date of birth of someone who turned `years` ten days ago."""
    return clock.today() - relativedelta(years=years) - timedelta(days=10)


#: A reservist of 31 in the Netherlands with asylum pending, summoned for mobilisation: R4 and only R4.
R4_CASE = {
    "surname_latin": "Kuznetsov",
    "surname_cyrillic": "Кузнецов",
    "phone": "+79161110031",
    "telegram": "@kuznetsov31",
    "date_of_birth": aged(31),
    "dutch_status": "asylum_pending",
    "permit_expires_on": None,
    "military_situation": "reservist",
    "rank_group": "soldier",
    "contact_kinds": "summons_paper",
    "summons_purpose": "mobilisation",
    "action": "evaded_mobilisation",
}

#: A student of 25 in the Netherlands with a Dutch degree from last year: R8 (P3, covered) only.
R8_CASE = {
    "surname_latin": "Lebedev",
    "surname_cyrillic": "Лебедев",
    "phone": "+79162220025",
    "telegram": "@lebedev25",
    "date_of_birth": aged(25),
    "dutch_status": "student",
    "permit_expires_on": clock.today() + timedelta(days=200),
    "degree_country": "NL",
    "degree_completed_on": clock.today() - relativedelta(years=1),
    "military_situation": "never_served",
    "contact_kinds": "none",
    "action": "fears_call_up",
}


# Helpers -------------------------------------------------------------------------------------


def tags_of(app, case_id: str) -> dict:
    """{rule id: the tag's stored columns} for a case, read fresh from the database."""
    with app.app_context():
        rows = db.session.scalars(select(CaseTag).where(CaseTag.case_id == case_id)).all()
        return {
            tag.rule_id: {
                "proposal": tag.proposal,
                "suggested": tag.suggested,
                "needs": tag.needs,
                "coverage": tag.coverage,
                "covered_since": tag.covered_since,
                "left_out": tag.left_out,
                "holds": tag.holds,
                "decision": tag.decision,
                "reason": tag.reason,
                "baseline_version": tag.baseline_version,
                "evaluated_on": tag.evaluated_on,
                "decided_by_id": tag.decided_by_id,
            }
            for tag in rows
        }


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def proposals_section(response) -> str:
    """The case page's "proposals" section only, so that other parts of the page cannot match."""
    match = re.search(r'<section[^>]*id="proposals".*?</section>', response.get_data(as_text=True), re.S)
    assert match, "the case page has no proposals section"
    return html.unescape(match.group(0))


def edit_form(page: str) -> dict:
    """The values a browser would send back from the edit page: every input (ticked boxes only),
    the selected option of every select, every textarea; the hidden version included."""
    form = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or ('type="checkbox"' in tag and "checked" not in tag):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        form.setdefault(name.group(1), []).append(html.unescape(value.group(1)) if value else "")
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option selected value="([^"]*)"', options)
        form[name] = [selected.group(1) if selected else ""]
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        form[name] = [html.unescape(body).strip()]
    return form


def edit(client, case_id: str, **changes):
    """GET the edit page, submit all its current values with `changes`: what a person does."""
    form = edit_form(client.get(f"/cases/{case_id}/edit").get_data(as_text=True))
    assert form.get("version"), "the edit page has no hidden version"
    for name, value in changes.items():
        form[name] = [value.isoformat() if isinstance(value, date) else str(value)]
    response = client.post(f"/cases/{case_id}/edit", data=form)
    assert response.status_code == 302, page_text(response)[:2000]
    return response


def decide(client, case_id: str, rule_id: str, decision: str, reason: str):
    token = csrf(client, f"/cases/{case_id}")
    return client.post(f"/cases/{case_id}/tags/{rule_id}", data={"decision": decision, "reason": reason, "csrf_token": token})


def audit_rows(app, action: str) -> list[tuple]:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
        return [(event.actor_id, event.case_id, event.detail) for event in events]


def baseline_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PolicyBaseline))


def baseline_with(version: str, effective_from: date, r4: str) -> str:
    """The shipped baseline under a new version and date, with R4's coverage replaced."""
    content = SHIPPED_BASELINE.read_text()
    content = content.replace('version = "2022-06-29"', f'version = "{version}"')
    content = content.replace("effective_from = 2022-06-29", f"effective_from = {effective_from.isoformat()}")
    content = content.replace('R4 = [{ from = 2022-01-01, covered = "no" }]', f"R4 = {r4}")
    assert f"R4 = {r4}" in content and f'"{version}"' in content
    return content


def r4_covered_from(day: date, version: str = "2026-test") -> str:
    """A valid baseline in force from `day` in which R4 is covered ("yes") from `day`."""
    before = day - timedelta(days=1)
    r4 = f'[{{ from = 2022-01-01, to = {before.isoformat()}, covered = "no" }}, {{ from = {day.isoformat()}, covered = "yes" }}]'
    return baseline_with(version, day, r4)


def upload(client, content: str, filename: str = "baseline.toml"):
    token = csrf_from(client.get("/admin/baselines").get_data(as_text=True))
    return client.post(
        "/admin/baselines",
        data={"csrf_token": token, "upload": (io.BytesIO(content.encode("utf-8")), filename)},
        content_type="multipart/form-data",
    )


# Tags on save --------------------------------------------------------------------------------


def test_a_saved_case_gets_its_tags(app, signed_in, create_case):
    """create_case stores a CaseTag per rule the engine reports: here R4 only, holding, P2, not
    covered by the shipped baseline, hence left out; evaluated today with baseline 2022-06-29."""
    _client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, **R4_CASE)
    tags = tags_of(app, case_id)
    assert set(tags) == {"R4"}
    r4 = tags["R4"]
    assert r4["proposal"] == "P2" and r4["suggested"] is True and r4["holds"] is True and r4["needs"] == ""
    assert r4["coverage"] == "no" and r4["covered_since"] == date(2022, 1, 1) and r4["left_out"] is True
    assert r4["baseline_version"] == "2022-06-29" and r4["evaluated_on"] == clock.today()
    assert r4["decision"] is None and r4["reason"] is None


def test_the_default_intake_tags_r7_as_partly_covered(app, signed_in, create_case):
    """The factory's intake (a reservist on a Schengen visa expiring in 10 days, aged 32), who entered
    20 days ago: R7, P3, "partly" covered while the stay lasts, so it holds but is not counted as left
    out. Without the entry date the 90/180-day limit may already have ended the stay: "unknown"."""
    _client, volunteer = signed_in("volunteer")
    tags = tags_of(app, create_case(by=volunteer, entry_on=clock.today() - timedelta(days=20), days_used=0))
    assert tags["R7"]["holds"] and tags["R7"]["proposal"] == "P3"
    assert tags["R7"]["coverage"] == "partly" and tags["R7"]["left_out"] is False
    assert tags_of(app, create_case(by=volunteer, phone="+79160000099", telegram="@other"))["R7"]["coverage"] == "unknown"


def test_the_case_page_explains_the_tag(app, signed_in, create_case):
    """The volunteer's case page shows the rule id, its English explanation from rules.toml and
    that the policy in force does not cover the person."""
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, **R4_CASE)
    response = client.get(f"/cases/{case_id}")
    assert response.status_code == 200
    section = proposals_section(response)
    assert "R4" in section
    assert RULES["R4"].explanation["en"] in section
    assert "Not covered by the policy in force" in section
    assert "2022-06-29" in section, "the baseline version the rules were evaluated with is shown"


@pytest.mark.parametrize("language", ["nl", "ru", "uk"])
def test_the_explanation_follows_the_browser_language(app, signed_in, create_case, language):
    """With Accept-Language nl/ru/uk (and no saved choice), the page shows that language's
    explanation from rules.toml, not the English one."""
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, **R4_CASE)
    section = proposals_section(client.get(f"/cases/{case_id}", headers={"Accept-Language": language}))
    assert RULES["R4"].explanation[language] in section
    assert RULES["R4"].explanation["en"] not in section


def test_the_explanation_follows_the_users_saved_language(app, signed_in, create_case):
    """A saved locale wins over the browser's Accept-Language."""
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, **R4_CASE)
    with app.app_context():
        db.session.get(User, volunteer.id).locale = "uk"
        db.session.commit()
    section = proposals_section(client.get(f"/cases/{case_id}", headers={"Accept-Language": "nl"}))
    assert RULES["R4"].explanation["uk"] in section
    assert RULES["R4"].explanation["nl"] not in section


# Missing information -------------------------------------------------------------------------


def test_missing_date_of_birth_is_asked_for_queued_and_resolved_by_an_edit(app, signed_in, create_case):
    """Without a date of birth the age rules cannot decide: the tags need "age", the page names the
    "Date of birth" field, the coordinator's missing-information queue lists the case; an edit that
    supplies the date of birth (through the edit form, with its version) resolves it and R4 holds."""
    client, volunteer = signed_in("volunteer")
    coordinator_client, _coordinator = signed_in("coordinator")
    case_id = create_case(by=volunteer, **{**R4_CASE, "date_of_birth": None})

    tags = tags_of(app, case_id)
    assert tags["R4"]["needs"] == "age" and not tags["R4"]["holds"] and not tags["R4"]["suggested"]
    assert tags["R4"]["left_out"] is False
    assert tags["R5"]["needs"] == "age,within_reserve_age" and not tags["R5"]["holds"]
    assert set(tags) == {"R4", "R5"}

    section = proposals_section(client.get(f"/cases/{case_id}"))
    assert "Needs information:" in section and "Date of birth" in section
    assert "Not covered by the policy in force" not in section, "a tag that needs information does not apply yet"

    queue = page_text(coordinator_client.get("/cases/missing"))
    assert "Kuznetsov" in queue

    edit(client, case_id, date_of_birth=aged(31))
    tags = tags_of(app, case_id)
    assert set(tags) == {"R4"}, "R5 (over 35) no longer applies once the age is known"
    assert tags["R4"]["needs"] == "" and tags["R4"]["holds"] and tags["R4"]["left_out"]
    section = proposals_section(client.get(f"/cases/{case_id}"))
    assert "Needs information:" not in section and "Not covered by the policy in force" in section
    assert "Kuznetsov" not in page_text(coordinator_client.get("/cases/missing"))


def test_a_researchers_permit_for_research_decides_r9_through_the_edit_form(app, signed_in, create_case):
    """R9's researcher half: a researcher whose permit for research is not recorded needs it (the page
    names the field); "no" through the edit form makes R9 hold and left out; "yes" removes it."""
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, **{**R8_CASE, "dutch_status": "researcher", "degree_completed_on": None})

    assert tags_of(app, case_id)["R9"]["needs"] == "no_orientation_year"
    section = proposals_section(client.get(f"/cases/{case_id}"))
    assert "Researcher with a residence permit for research" in section

    edit(client, case_id, research_permit="no")
    tags = tags_of(app, case_id)
    assert tags["R9"]["needs"] == "" and tags["R9"]["holds"] and tags["R9"]["left_out"]
    with app.app_context():
        assert db.session.get(Case, case_id).research_permit == "no"

    edit(client, case_id, research_permit="yes")
    assert "R9" not in tags_of(app, case_id)


def test_the_missing_queue_is_for_coordinators_only(app, signed_in):
    """Volunteers do not get the missing-information queue (404)."""
    client, _volunteer = signed_in("volunteer")
    assert client.get("/cases/missing").status_code == 404


def test_a_case_that_needs_nothing_is_not_in_the_missing_queue(app, signed_in, create_case):
    """Cases whose rules could all decide are not in the missing-information queue."""
    _client, volunteer = signed_in("volunteer")
    coordinator_client, _coordinator = signed_in("coordinator")
    create_case(by=volunteer, **R4_CASE)
    create_case(by=volunteer, **{**R8_CASE})
    queue = page_text(coordinator_client.get("/cases/missing"))
    assert "Kuznetsov" not in queue and "Lebedev" not in queue


# Decisions -----------------------------------------------------------------------------------


def test_rejecting_a_tag_with_a_reason_is_kept_encrypted_audited_and_survives_reevaluation(app, signed_in, create_case, runner):
    """POST decision=rejected with a reason: the tag no longer holds nor counts as left out; an
    audit row "tag_decided" "R4:rejected" is written; the reason is stored encrypted (not in the
    table as plaintext) and shown on the page; `flask rules reevaluate` and a later edit keep it."""
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, **R4_CASE)
    response = decide(client, case_id, "R4", "rejected", REASON)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{case_id}#proposals")

    r4 = tags_of(app, case_id)["R4"]
    assert r4["decision"] == "rejected" and r4["reason"] == REASON and r4["decided_by_id"] == volunteer.id
    assert r4["suggested"] is True, "the engine's suggestion is kept beside the person's decision"
    assert r4["holds"] is False and r4["left_out"] is False
    assert (volunteer.id, case_id, "R4:rejected") in audit_rows(app, "tag_decided")

    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM case_tags WHERE case_id = :id"), {"id": case_id}).all()
    assert rows
    for row in rows:
        for value in row:
            raw = bytes(value) if isinstance(value, (bytes, bytearray, memoryview)) else str(value).encode()
            assert REASON.encode() not in raw and b"work permit" not in raw, "the reason is stored in plaintext"
    with app.app_context():
        sealed = db.session.execute(
            text("SELECT reason FROM case_tags WHERE case_id = :id AND rule_id = 'R4'"), {"id": case_id}
        ).scalar_one()
    assert sealed is not None and len(bytes(sealed)) > len(REASON.encode()) // 2

    page = proposals_section(client.get(f"/cases/{case_id}"))
    assert "Overridden: does not apply" in page and REASON in page

    result = runner.invoke(args=["rules", "reevaluate"])
    assert result.exit_code == 0, result.output
    r4 = tags_of(app, case_id)["R4"]
    assert r4["decision"] == "rejected" and r4["reason"] == REASON and r4["holds"] is False and r4["left_out"] is False
    assert r4["evaluated_on"] == clock.today()

    edit(client, case_id, city="Utrecht")
    r4 = tags_of(app, case_id)["R4"]
    assert r4["decision"] == "rejected" and r4["reason"] == REASON and r4["holds"] is False and r4["suggested"] is True


def test_confirming_a_tag_keeps_it_holding(app, signed_in, create_case):
    """A confirmation keeps a suggested tag holding and left out, and is audited as R4:confirmed."""
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, **R4_CASE)
    assert decide(client, case_id, "R4", "confirmed", "Summons seen, mobilisation stamp.").status_code == 302
    r4 = tags_of(app, case_id)["R4"]
    assert r4["decision"] == "confirmed" and r4["holds"] and r4["left_out"]
    assert (volunteer.id, case_id, "R4:confirmed") in audit_rows(app, "tag_decided")


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_decision_without_a_reason_is_refused_and_changes_nothing(app, signed_in, create_case, reason):
    """An empty (or blank) reason: 400 with the form's message, the tag as it was, no audit row."""
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, **R4_CASE)
    before = tags_of(app, case_id)
    response = decide(client, case_id, "R4", "rejected", reason)
    assert response.status_code == 400
    assert "Give the reason for your decision." in page_text(response)
    assert tags_of(app, case_id) == before
    assert audit_rows(app, "tag_decided") == []


def test_a_decision_that_is_not_one_of_the_choices_is_refused(app, signed_in, create_case):
    """A decision outside confirmed/rejected/added is refused (400) and changes nothing."""
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, **R4_CASE)
    before = tags_of(app, case_id)
    assert decide(client, case_id, "R4", "deleted", "because").status_code == 400
    assert tags_of(app, case_id) == before


def test_adding_a_rule_the_engine_did_not_suggest_creates_a_holding_tag(app, signed_in, create_case, runner):
    """decision=added on R9 (not suggested for this case): a new tag that holds, with the rule's
    proposal and the baseline's coverage ("no", so left out); re-evaluation keeps it."""
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, **R4_CASE)
    assert "R9" not in tags_of(app, case_id)
    assert decide(client, case_id, "R9", "added", "Came as an exchange student in 2023; status changed since.").status_code == 302
    r9 = tags_of(app, case_id)["R9"]
    assert r9["decision"] == "added" and r9["holds"] is True and r9["suggested"] is False and r9["needs"] == ""
    assert r9["proposal"] == "P3" and r9["coverage"] == "no" and r9["left_out"] is True
    assert r9["baseline_version"] == "2022-06-29" and r9["evaluated_on"] == clock.today()
    assert (volunteer.id, case_id, "R9:added") in audit_rows(app, "tag_decided")
    assert "R9" in proposals_section(client.get(f"/cases/{case_id}"))

    assert runner.invoke(args=["rules", "reevaluate"]).exit_code == 0
    r9 = tags_of(app, case_id)["R9"]
    assert r9["decision"] == "added" and r9["holds"] is True and r9["left_out"] is True


def test_a_volunteer_cannot_decide_on_someone_elses_case(app, signed_in, create_case):
    """Another volunteer's case is 404 (its existence is not revealed) and nothing changes."""
    _owner_client, owner = signed_in("volunteer")
    other_client, _other = signed_in("volunteer")
    case_id = create_case(by=owner, **R4_CASE)
    before = tags_of(app, case_id)
    token = csrf(other_client, "/")
    response = other_client.post(
        f"/cases/{case_id}/tags/R4", data={"decision": "rejected", "reason": REASON, "csrf_token": token}
    )
    assert response.status_code == 404
    assert tags_of(app, case_id) == before and audit_rows(app, "tag_decided") == []


def test_an_unknown_rule_is_404(app, signed_in, create_case):
    """A decision on a rule that does not exist is 404 and creates no tag."""
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, **R4_CASE)
    assert decide(client, case_id, "R99", "added", "no such rule").status_code == 404
    assert set(tags_of(app, case_id)) == {"R4"}


def test_a_coordinator_may_decide_on_any_case(app, signed_in, create_case):
    """A coordinator may decide on a volunteer's case; the tag records who decided."""
    _client, volunteer = signed_in("volunteer")
    coordinator_client, coordinator = signed_in("coordinator")
    case_id = create_case(by=volunteer, **R4_CASE)
    assert decide(coordinator_client, case_id, "R4", "confirmed", "Checked the summons.").status_code == 302
    assert tags_of(app, case_id)["R4"]["decided_by_id"] == coordinator.id


# Coordinator filters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, listed, not_listed",
    [
        ("proposal=P2", "Kuznetsov", "Lebedev"),
        ("proposal=P3", "Lebedev", "Kuznetsov"),
        ("rule=R4", "Kuznetsov", "Lebedev"),
        ("rule=R8", "Lebedev", "Kuznetsov"),
        ("left_out=1", "Kuznetsov", "Lebedev"),
        ("proposal=P2&rule=R4&left_out=1", "Kuznetsov", "Lebedev"),
    ],
)
def test_coordinator_filters_by_proposal_rule_and_left_out(app, signed_in, create_case, query, listed, not_listed):
    """R4 (P2, left out) for Kuznetsov; R8 (P3, covered by the orientation year) for Lebedev."""
    _client, volunteer = signed_in("volunteer")
    coordinator_client, _coordinator = signed_in("coordinator")
    create_case(by=volunteer, **R4_CASE)
    create_case(by=volunteer, **R8_CASE)
    page = page_text(coordinator_client.get(f"/cases/?{query}"))
    assert listed in page and not_listed not in page
    everything = page_text(coordinator_client.get("/cases/"))
    assert "Kuznetsov" in everything and "Lebedev" in everything


def test_filters_count_only_tags_that_hold(app, signed_in, create_case):
    """A rejected tag and a tag that needs information are not listed under their rule."""
    client, volunteer = signed_in("volunteer")
    coordinator_client, _coordinator = signed_in("coordinator")
    rejected = create_case(by=volunteer, **R4_CASE)
    create_case(
        by=volunteer,
        **{
            **R4_CASE,
            "surname_latin": "Morozov",
            "surname_cyrillic": "Морозов",
            "phone": "+79163330000",
            "telegram": "@morozov",
            "date_of_birth": None,
        },
    )
    assert decide(client, rejected, "R4", "rejected", REASON).status_code == 302
    for query in ("rule=R4", "proposal=P2", "left_out=1"):
        page = page_text(coordinator_client.get(f"/cases/?{query}"))
        assert "Kuznetsov" not in page and "Morozov" not in page, query


# Baselines -----------------------------------------------------------------------------------


def test_admin_uploads_a_baseline_and_reevaluation_applies_it(app, signed_in, create_case):
    """A valid baseline in which R4 is covered from 30 days ago is accepted, audited and listed
    beside the built-in one; until re-evaluation the tag is unchanged; POST reevaluate then makes
    R4 covered ("yes" since that day) and no longer left out, with the new baseline version."""
    _client, volunteer = signed_in("volunteer")
    admin_client, admin = signed_in("admin")
    case_id = create_case(by=volunteer, **R4_CASE)
    start = clock.today() - timedelta(days=30)

    response = upload(admin_client, r4_covered_from(start))
    assert response.status_code == 302, page_text(response)[:2000]
    assert baseline_count(app) == 1
    assert (admin.id, None, "2026-test") in audit_rows(app, "baseline_loaded")
    listing = page_text(admin_client.get("/admin/baselines"))
    assert "2026-test" in listing and "2022-06-29" in listing and "ships with Casework" in listing
    assert "in force today: 2026-test" in listing

    assert tags_of(app, case_id)["R4"]["coverage"] == "no", "a new baseline applies only when cases are re-evaluated"

    token = csrf_from(admin_client.get("/admin/baselines").get_data(as_text=True))
    response = admin_client.post("/admin/baselines/reevaluate", data={"csrf_token": token})
    assert response.status_code == 302
    assert tags_of(app, case_id)["R4"]["coverage"] == "no", "the request only queues the job"
    assert run_jobs(app) == 1
    r4 = tags_of(app, case_id)["R4"]
    assert r4["coverage"] == "yes" and r4["covered_since"] == start
    assert r4["holds"] is True and r4["left_out"] is False and r4["baseline_version"] == "2026-test"
    assert audit_rows(app, "cases_reevaluated")[-1][:3] == (admin.id, None, "2026-test"), "the requester, and no count"


def run_jobs(app) -> int:
    with app.app_context():
        return jobs.run_queued()


def test_a_baseline_in_force_only_from_tomorrow_does_not_apply_today(app, signed_in, create_case):
    """A baseline that takes effect tomorrow is stored but not used by today's re-evaluation."""
    _client, volunteer = signed_in("volunteer")
    admin_client, _admin = signed_in("admin")
    case_id = create_case(by=volunteer, **R4_CASE)
    assert upload(admin_client, r4_covered_from(clock.today() + timedelta(days=1), "future")).status_code == 302
    token = csrf_from(admin_client.get("/admin/baselines").get_data(as_text=True))
    admin_client.post("/admin/baselines/reevaluate", data={"csrf_token": token})
    run_jobs(app)
    r4 = tags_of(app, case_id)["R4"]
    assert r4["baseline_version"] == "2022-06-29" and r4["coverage"] == "no" and r4["left_out"] is True


def test_reevaluate_command_applies_a_new_baseline_and_prints_counts_only(app, signed_in, create_case, runner):
    """`flask rules reevaluate` after an upload: R4 becomes covered; the output names the baseline
    and the counts, never a person."""
    _client, volunteer = signed_in("volunteer")
    admin_client, _admin = signed_in("admin")
    case_id = create_case(by=volunteer, **R4_CASE)
    create_case(by=volunteer, **R8_CASE)
    assert upload(admin_client, r4_covered_from(clock.today() - timedelta(days=5))).status_code == 302

    result = runner.invoke(args=["rules", "reevaluate"])
    assert result.exit_code == 0, result.output
    assert "2 open cases evaluated with baseline 2026-test: 0 tags added, 0 removed, 1 changed." in result.output
    for secret in ("Kuznetsov", "Кузнецов", "Lebedev", "+7916", "@kuznetsov", case_id, str(R4_CASE["date_of_birth"])):
        assert secret not in result.output
    r4 = tags_of(app, case_id)["R4"]
    assert r4["coverage"] == "yes" and r4["left_out"] is False


def test_reevaluation_skips_closed_cases(app, signed_in, create_case, runner):
    """Re-evaluation touches open cases only: a closed case keeps the tags it had."""
    _client, volunteer = signed_in("volunteer")
    admin_client, _admin = signed_in("admin")
    case_id = create_case(by=volunteer, **R4_CASE)
    with app.app_context():
        db.session.get(Case, case_id).status = "closed"
        db.session.commit()
    assert upload(admin_client, r4_covered_from(clock.today() - timedelta(days=5))).status_code == 302
    result = runner.invoke(args=["rules", "reevaluate"])
    assert result.exit_code == 0 and result.output.strip().endswith(
        "0 open cases evaluated with baseline 2026-test: 0 tags added, 0 removed, 0 changed."
    )
    assert tags_of(app, case_id)["R4"]["coverage"] == "no"


@pytest.mark.parametrize(
    "r4, problem",
    [
        ('[{ from = 2022-01-01, covered = "no" }, { from = 2024-01-01, covered = "yes" }]', "overlap"),
        ('[{ from = 2024-01-01, to = 2023-01-01, covered = "yes" }]', "malformed date range"),
        ('[{ from = 2022-01-01, covered = "perhaps" }]', "covered must be one of"),
    ],
)
def test_a_malformed_baseline_is_refused_with_the_problem_and_nothing_stored(app, signed_in, r4, problem):
    """An overlapping, reversed or badly covered range is refused on the upload page with the problem shown; nothing is stored or audited."""
    admin_client, _admin = signed_in("admin")
    response = upload(admin_client, baseline_with("bad-1", clock.today(), r4))
    assert response.status_code == 200
    page = page_text(response)
    assert "The file was not accepted" in page and problem in page and "coverage of R4" in page
    assert baseline_count(app) == 0 and audit_rows(app, "baseline_loaded") == []


def test_a_baseline_with_an_unknown_rule_is_refused(app, signed_in):
    """Coverage for an unknown rule is refused on the upload page, naming it; nothing is stored."""
    admin_client, _admin = signed_in("admin")
    content = r4_covered_from(clock.today()).replace(
        "[coverage]\n", '[coverage]\nR42 = [{ from = 2022-01-01, covered = "no" }]\n'
    )
    page = page_text(upload(admin_client, content))
    assert "The file was not accepted" in page and "coverage of R42: no such rule" in page
    assert baseline_count(app) == 0


def test_a_baseline_that_leaves_out_a_rule_or_its_version_is_refused(app, signed_in):
    """A baseline missing a rule, missing its version, or not TOML is refused with the reason; nothing is stored."""
    admin_client, _admin = signed_in("admin")
    content = r4_covered_from(clock.today())
    page = page_text(upload(admin_client, re.sub(r"^R9 = .*\n", "", content, flags=re.M)))
    assert "no coverage for R9" in page
    page = page_text(upload(admin_client, content.replace('version = "2026-test"\n', "")))
    assert "needs a version" in page
    page = page_text(upload(admin_client, "this is [not toml"))
    assert "not valid TOML" in page
    assert baseline_count(app) == 0


def test_a_baseline_that_is_not_utf8_is_refused(app, signed_in):
    """A file that is not UTF-8 is refused with a message, not an error."""
    admin_client, _admin = signed_in("admin")
    token = csrf_from(admin_client.get("/admin/baselines").get_data(as_text=True))
    response = admin_client.post(
        "/admin/baselines",
        data={"csrf_token": token, "upload": (io.BytesIO(b'version = "\xff\xfe"'), "b.toml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and "The file was not accepted" in page_text(response)
    assert baseline_count(app) == 0


def test_a_baseline_whose_coverage_is_not_a_list_of_ranges_is_refused_not_a_server_error(app, signed_in):
    """BUG (engine.parse_baseline via admin.routes.baselines): `R4 = "no"` raises AttributeError,
    which the upload view does not catch (it catches RuleFileError and UnicodeDecodeError only), so
    the admin gets a 500 instead of the problem."""
    admin_client, _admin = signed_in("admin")
    response = upload(admin_client, baseline_with("bad-2", clock.today(), '"no"'))
    assert response.status_code == 200 and "The file was not accepted" in page_text(response)
    assert baseline_count(app) == 0


def test_a_duplicate_version_is_refused(app, signed_in):
    """The built-in version, or one uploaded before, cannot be loaded again."""
    admin_client, _admin = signed_in("admin")
    page = page_text(upload(admin_client, r4_covered_from(clock.today(), "2022-06-29")))
    assert "The file was not accepted" in page and "version 2022-06-29 exists already" in page
    assert baseline_count(app) == 0
    assert upload(admin_client, r4_covered_from(clock.today(), "2026-a")).status_code == 302
    page = page_text(upload(admin_client, r4_covered_from(clock.today() - timedelta(days=3), "2026-a")))
    assert "version 2026-a exists already" in page
    assert baseline_count(app) == 1


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "advocate"])
def test_non_admins_cannot_see_or_change_baselines(app, signed_in, role):
    """Volunteers, coordinators and advocates get 404 on the baselines page, the upload and re-evaluation; nothing changes."""
    client, _user = signed_in(role)
    assert client.get("/admin/baselines").status_code == 404
    token = csrf(client, "/")
    assert client.post("/admin/baselines/reevaluate", data={"csrf_token": token}).status_code == 404
    response = client.post(
        "/admin/baselines",
        data={"csrf_token": token, "upload": (io.BytesIO(r4_covered_from(clock.today()).encode()), "b.toml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 404
    assert baseline_count(app) == 0 and audit_rows(app, "cases_reevaluated") == []


def test_signed_out_visitors_cannot_see_baselines(app, client):
    """Without signing in, the baselines page is not shown."""
    assert client.get("/admin/baselines").status_code in (302, 401, 404)
    assert client.get("/admin/baselines").status_code != 200


# check-baseline ------------------------------------------------------------------------------


def test_check_baseline_accepts_the_shipped_file(runner):
    """`flask rules check-baseline` exits 0 on the shipped baseline and summarises it."""
    result = runner.invoke(args=["rules", "check-baseline", str(SHIPPED_BASELINE)])
    assert result.exit_code == 0, result.output
    assert "baseline 2022-06-29, in force from 2022-06-29, covers 10 rules" in result.output


def test_check_baseline_refuses_a_bad_file_with_the_reason(runner, tmp_path):
    """`flask rules check-baseline` exits non-zero with the reason for an overlap, an unknown rule or a missing file."""
    path = tmp_path / "overlap.toml"
    path.write_text(
        baseline_with("bad", date(2025, 1, 1), '[{ from = 2022-01-01, covered = "no" }, { from = 2024-01-01, covered = "yes" }]')
    )
    result = runner.invoke(args=["rules", "check-baseline", str(path)])
    assert result.exit_code != 0
    assert "overlap.toml: coverage of R4: ranges from 2022-01-01 and 2024-01-01 overlap" in result.output
    unknown = tmp_path / "unknown.toml"
    unknown.write_text(
        SHIPPED_BASELINE.read_text().replace("[coverage]\n", '[coverage]\nR42 = [{ from = 2022-01-01, covered = "no" }]\n')
    )
    result = runner.invoke(args=["rules", "check-baseline", str(unknown)])
    assert result.exit_code != 0 and "coverage of R42: no such rule" in result.output
    assert runner.invoke(args=["rules", "check-baseline", str(tmp_path / "absent.toml")]).exit_code != 0


def test_check_baseline_reports_a_malformed_coverage_without_a_traceback(runner, tmp_path):
    """BUG (engine.parse_baseline, seen through `flask rules check-baseline`): `R4 = "no"` makes
    the command die with AttributeError instead of a one-line error naming the problem."""
    path = tmp_path / "bare.toml"
    path.write_text(baseline_with("bad", date(2025, 1, 1), '"no"'))
    result = runner.invoke(args=["rules", "check-baseline", str(path)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "coverage of R4" in result.output


def test_operations_create_case_tags_with_todays_baseline(app, make_user):
    """The same through the operations layer without a request: create_case tags immediately, in
    the same transaction as the case."""
    volunteer = make_user("volunteer")
    with app.app_context():
        actor = db.session.get(User, volunteer.id)
        case = operations.create_case({**INTAKE, **R4_CASE}, actor)
        tags = db.session.scalars(select(CaseTag).where(CaseTag.case_id == case.id)).all()
        assert [tag.rule_id for tag in tags] == ["R4"]
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(CaseTag)) == 0


# Tags through the rest of a case's life ------------------------------------------------------


def test_a_confirmed_tag_that_needs_information_is_neither_counted_nor_queued(app, signed_in, create_case):
    """BUG (CaseTag.settle with cases.routes.missing): confirming a tag that still needs information
    ("Confirm: this proposal would help this person") leaves holds False, because settle() only
    lets a suggested tag or an "added" one hold, while /cases/missing drops every tag that has a
    decision. The case then falls through both: not counted under its rule, not asked about."""
    client, volunteer = signed_in("volunteer")
    coordinator_client, _coordinator = signed_in("coordinator")
    case_id = create_case(by=volunteer, **{**R4_CASE, "military_situation": None, "summons_purpose": None})
    tags = tags_of(app, case_id)
    assert "R4" in tags and tags["R4"]["needs"] == "reservist_or_mobilisation_summons"
    assert "Kuznetsov" in page_text(coordinator_client.get("/cases/missing"))
    assert decide(client, case_id, "R4", "confirmed", "He showed us his mobilisation summons on his phone.").status_code == 302
    counted = "Kuznetsov" in page_text(coordinator_client.get("/cases/?rule=R4"))
    queued = "Kuznetsov" in page_text(coordinator_client.get("/cases/missing"))
    assert counted or queued, "a confirmed tag that needs information vanished from both the counts and the missing queue"


def test_reevaluation_keeps_the_tags_of_an_erased_persons_case(app, signed_in, create_case, runner):
    """BUG (tagging.reevaluate_open_cases / tag_case): erasure keeps a case's coded facts and tags
    for statistics, but the date of birth and sex are encrypted and gone, so re-evaluating the
    still-open case turns its R4 tag into "needs age" (no longer holding, no longer left out) and
    puts the erased case in the missing-information queue, where nobody can ever fill it in."""
    client, volunteer = signed_in("volunteer")
    coordinator_client, _coordinator = signed_in("coordinator")
    case_id = create_case(by=volunteer, **R4_CASE)
    token = csrf(coordinator_client, f"/cases/{case_id}")
    assert coordinator_client.post(f"/cases/{case_id}/erase", data={"csrf_token": token, "confirm": "erase"}).status_code == 302
    assert tags_of(app, case_id)["R4"]["holds"] is True, "erasure itself keeps the tag"
    assert runner.invoke(args=["rules", "reevaluate"]).exit_code == 0
    r4 = tags_of(app, case_id).get("R4")
    assert r4 is not None and r4["holds"] is True and r4["left_out"] is True and r4["needs"] == ""
    assert "(erased)" not in page_text(coordinator_client.get("/cases/missing"))


def test_a_decision_reason_stays_readable_when_the_case_moves_to_the_same_person(app, signed_in, create_case):
    """BUG (cases.operations.move_case): resolving a duplicate re-encrypts the case, its notes,
    referrals and documents under the other person's key, but not its CaseTag rows. A decision's
    reason stays bound to the old person (and the old key is then shredded), so it no longer
    decrypts: the case page fails with a server error."""
    client, volunteer = signed_in("volunteer")
    coordinator_client, coordinator = signed_in("coordinator")
    existing = create_case(by=coordinator, **R4_CASE)
    second = create_case(by=volunteer, **R4_CASE)
    assert decide(client, second, "R4", "rejected", REASON).status_code == 302
    with app.app_context():
        person = db.session.get(Case, existing).person_id
    page = coordinator_client.get(f"/cases/{second}/duplicate").get_data(as_text=True)
    assert f'value="{person}"' in page, "the existing person is offered as a match"
    response = coordinator_client.post(f"/cases/{second}/duplicate", data={"csrf_token": csrf_from(page), "choice": person})
    assert response.status_code == 302
    view = client.get(f"/cases/{second}")
    assert view.status_code == 200
    assert REASON in proposals_section(view)
