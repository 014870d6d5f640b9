"""Valid HTML on every page, as every role, in every language: the Nu HTML checker (vnu.jar, from
the vnu-jar npm package, run with Java) reports 0 errors.

The pages come from the URL map and the capability table, so a new page is checked as soon as it
exists. Without Java or vnu.jar the test is skipped, unless CASEWORK_REQUIRE_VNU=1 (set by CI).
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from casework.cases import operations
from casework.config import LOCALES, PROJECT_ROOT
from casework.extensions import db
from casework.models import Partner, User
from casework.permissions import ROLE_CAPABILITIES, capability_of
from casework.stats import operations as stats
from tests.conftest import csrf_from, sign_in
from tests.factories import INTAKE

VNU_JAR = Path(os.environ.get("CASEWORK_VNU_JAR", PROJECT_ROOT / ".venv/vnu/node_modules/vnu-jar/build/dist/vnu.jar"))
#: Answers that are files or images, not pages.
NOT_PAGES = {"cases.download", "stats.release_csv", "stats.release_json", "stats.chart", "static", "health.healthz"}


def _checker() -> list[str]:
    java = shutil.which("java")
    if java and VNU_JAR.exists():
        return [java, "-jar", str(VNU_JAR)]
    if os.environ.get("CASEWORK_REQUIRE_VNU") == "1":
        pytest.fail(f"CASEWORK_REQUIRE_VNU=1 but Java or {VNU_JAR} is missing")
    pytest.skip("the Nu HTML checker (Java and vnu.jar) is not installed")


@pytest.fixture
def world(app, make_user):
    """A case with a note, a referral and a published release, so that every page has content."""
    volunteer, coordinator = make_user("volunteer"), make_user("coordinator")
    with app.app_context():
        partner = Partner(name="Refugee Law Clinic Utrecht")
        db.session.add(partner)
        db.session.flush()
        actor = db.session.get(User, coordinator.id)
        case = operations.create_case({**INTAKE, "consent_partners": [partner.id]}, actor)
        case.assignee_id = volunteer.id
        operations.add_note(case, "Called back; he will send the summons scan tonight.", actor)
        referral = operations.refer(case, partner, "Legal advice on an asylum application", actor)
        period = stats.closed_periods()[0]
        stats.publish(stats.request_release(period, None), None)
        db.session.commit()
        ids = {
            "case_id": case.id,
            "referral_id": referral.id,
            "user_id": volunteer.id,
            "partner_id": partner.id,
            "rule_id": "R1",
            "period": period,
        }
    return {"volunteer": volunteer, "coordinator": coordinator, "ids": ids}


def _paths(app, role: str, ids: dict) -> list[str]:
    paths = set()
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        for rule in app.url_map.iter_rules():
            capability = capability_of(app, rule.endpoint)
            if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or rule.endpoint.startswith("security."):
                continue
            if capability in ROLE_CAPABILITIES[role] and set(rule.arguments) <= set(ids):
                paths.add(adapter.build(rule.endpoint, {name: ids[name] for name in rule.arguments}))
    return sorted(paths | {"/change"})


def _choose_language(client, locale: str) -> None:
    page = client.get("/").get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_from(page), "locale": locale, "next": "/"})


def test_every_page_is_valid_html_in_every_language(app, signed_in, make_user, world, tmp_path):
    checker = _checker()
    written = {}
    for role in sorted(ROLE_CAPABILITIES):
        if role in world:
            client = app.test_client()
            assert sign_in(client, app, world[role]).status_code == 302
        else:
            client, _user = signed_in(role)
        for locale in LOCALES:
            _choose_language(client, locale)
            for path in _paths(app, role, world["ids"]):
                response = client.get(path)
                assert response.status_code == 200, f"{role} {locale} got {response.status_code} for {path}"
                name = tmp_path / f"{len(written):04d}.html"
                name.write_bytes(response.data)
                written[name.name] = f"{path} as {role} in {locale}"
    anonymous = app.test_client()
    for locale in LOCALES:
        name = tmp_path / f"{len(written):04d}.html"
        name.write_bytes(anonymous.get("/login", headers={"Accept-Language": locale}).data)
        written[name.name] = f"/login in {locale}"
    result = subprocess.run(
        [*checker, "--errors-only", "--format", "json", *(str(tmp_path / name) for name in written)],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    errors = [
        f"{written.get(Path(m.get('url', '')).name, m.get('url'))} line {m.get('lastLine')}: {m.get('message')}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert len(written) > 40
    assert errors == [], "\n".join(errors[:40])
