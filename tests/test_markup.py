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

from casework.config import LOCALES, PROJECT_ROOT
from casework.permissions import ROLE_CAPABILITIES
from tests.conftest import csrf_from, sign_in
from tests.routes import pages

VNU_JAR = Path(os.environ.get("CASEWORK_VNU_JAR", PROJECT_ROOT / ".venv/vnu/node_modules/vnu-jar/build/dist/vnu.jar"))


def _checker() -> list[str]:
    java = shutil.which("java")
    if java and VNU_JAR.exists():
        return [java, "-jar", str(VNU_JAR)]
    if os.environ.get("CASEWORK_REQUIRE_VNU") == "1":
        pytest.fail(f"CASEWORK_REQUIRE_VNU=1 but Java or {VNU_JAR} is missing")
    pytest.skip("the Nu HTML checker (Java and vnu.jar) is not installed")


def _choose_language(client, locale: str) -> None:
    page = client.get("/").get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_from(page), "locale": locale, "next": "/"})


def test_every_page_is_valid_html_in_every_language(app, signed_in, make_user, full_site, tmp_path):
    checker = _checker()
    written = {}
    for role in sorted(ROLE_CAPABILITIES):
        if role in full_site:
            client = app.test_client()
            assert sign_in(client, app, full_site[role]).status_code == 302
        else:
            client, _user = signed_in(role)
        for locale in LOCALES:
            _choose_language(client, locale)
            for path in pages(app, role, full_site["ids"]) + ["/change"]:
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
