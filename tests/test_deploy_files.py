"""The deployment as shipped: production behind its proxy, gunicorn's settings, the systemd units, the
proxy examples, the lock files and docs/deployment.md agree with the code they deploy."""

import importlib.util
import io
import logging
import re
import runpy
import tomllib
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

import click
import pytest
from flask.cli import FlaskGroup, ScriptInfo
from gunicorn.config import Config
from packaging.markers import default_environment
from packaging.requirements import Requirement

from casework import create_app
from casework.extensions import db
from casework.models import ROLE_NAMES, Role
from tests.conftest import csrf_from
from tests.test_production_config import production_settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
GUIDE = ROOT / "docs" / "deployment.md"


@pytest.fixture
def production_app(settings, monkeypatch):
    """Production as the service starts it: CASEWORK_ENV comes from the environment (the cookie's name
    follows from it there), the rest from the test settings."""
    monkeypatch.setenv("CASEWORK_ENV", "production")
    app = create_app(production_settings(settings, CASEWORK_TRUSTED_PROXIES=1))
    with app.app_context():
        db.create_all()
        db.session.add_all(Role(name=name) for name in ROLE_NAMES)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()


# Production behind a TLS proxy --------------------------------------------------------------

PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "casework.example.org"}


def test_a_form_posted_through_the_proxy_without_a_referrer_is_accepted(production_app):
    """Pages say Referrer-Policy: no-referrer (S13), so browsers post forms without a Referer header;
    the CSRF check must not demand one, or nobody can sign in to a production instance."""
    client = production_app.test_client()
    page = client.get("/login", headers=PROXIED)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    response = client.post(
        "/language", data={"locale": "nl", "csrf_token": csrf_from(page.get_data(as_text=True))}, headers=PROXIED
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def test_a_form_without_its_csrf_token_is_still_refused_in_production(production_app):
    client = production_app.test_client()
    client.get("/login", headers=PROXIED)
    assert client.post("/language", data={"locale": "nl"}, headers=PROXIED).status_code == 400


def test_the_proxy_makes_the_session_cookie_host_only_and_secure(production_app):
    response = production_app.test_client().get("/login", headers=PROXIED)
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("__Host-"))
    assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie and "Domain" not in cookie
    assert "Strict-Transport-Security" in response.headers


# gunicorn.conf.py ---------------------------------------------------------------------------


def gunicorn_settings(monkeypatch, **environment) -> dict:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_takes_its_worker_count_from_the_environment(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert gunicorn_settings(monkeypatch, CASEWORK_WORKERS="3")["workers"] == 3
    monkeypatch.delenv("CASEWORK_WORKERS")
    assert gunicorn_settings(monkeypatch)["workers"] == 1, "one worker unless told: no Redis is needed for one"


def test_gunicorn_recycles_workers_and_times_out_requests(monkeypatch):
    conf = gunicorn_settings(monkeypatch)
    assert 0 < conf["timeout"] <= 60 and 0 < conf["graceful_timeout"] <= conf["timeout"]
    assert conf["max_requests"] > 0 and 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert conf["errorlog"] == "-" and conf["accesslog"] == "-"


def test_a_worker_serves_many_requests_for_each_start(monkeypatch):
    """A worker's start (importing and building the app) costs about 1.1 s of CPU. Replaced every
    1,000 requests, the workers spent 4.25 ms of CPU on each request of the signed-in help page
    instead of 3.18 ms (22% of a 2-core machine at 420 requests a second), and hello world served
    3,081 requests a second instead of 5,091 (benchmarks/throughput.py, 2026-12-03)."""
    conf = gunicorn_settings(monkeypatch)
    assert conf["max_requests"] >= 10_000


def _access_line(monkeypatch, environ: dict) -> str:
    conf = gunicorn_settings(monkeypatch)
    cfg = Config()
    for name in ("accesslog", "access_log_format", "errorlog", "loglevel"):
        cfg.set(name, conf[name])
    logger = conf["logger_class"](cfg)
    written = io.StringIO()
    logger.access_log.handlers = [logging.StreamHandler(written)]
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    logger.access(
        response,
        SimpleNamespace(headers=[]),
        {"REMOTE_ADDR": "203.0.113.5", "SERVER_PROTOCOL": "HTTP/1.1", **environ},
        timedelta(milliseconds=12),
    )
    return written.getvalue()


def test_the_access_log_has_no_query_string_referrer_or_setup_token(monkeypatch):
    line = _access_line(
        monkeypatch,
        {
            "REQUEST_METHOD": "GET",
            "RAW_URI": "/reset/InviteToken123.abc?q=Ivanov",
            "PATH_INFO": "/reset/InviteToken123.abc",
            "QUERY_STRING": "q=Ivanov",
            "HTTP_REFERER": "https://casework.example.org/cases/search?q=Ivanov",
        },
    )
    assert '"GET /reset/[token]" 200 1234 12ms' in line
    assert "InviteToken123" not in line and "Ivanov" not in line


def test_the_access_log_keeps_ordinary_paths(monkeypatch):
    line = _access_line(
        monkeypatch, {"REQUEST_METHOD": "POST", "RAW_URI": "/cases/new", "PATH_INFO": "/cases/new", "QUERY_STRING": ""}
    )
    assert '"POST /cases/new" 200' in line and line.startswith("203.0.113.5 ")


# systemd units ------------------------------------------------------------------------------

UNITS = DEPLOY / "systemd"


def _exec_lines(unit: Path) -> list[str]:
    return [line.split("=", 1)[1] for line in unit.read_text().splitlines() if re.match(r"ExecStart(Post|Pre)?=", line)]


def _flask_commands() -> list[tuple[str, list[str]]]:
    found = []
    for unit in sorted(UNITS.glob("*.service")):
        for line in _exec_lines(unit):
            words = line.split()
            if words[0].endswith("/flask"):
                assert words[1:3] == ["--app", "casework"], f"{unit.name}: {line}"
                found.append((unit.name, words[3:]))
    return found


def test_every_scheduled_command_exists(app):
    """A renamed or missing command would make a timer fail every night, unnoticed until it matters."""
    commands = _flask_commands()
    assert {tuple(words[:2]) for _, words in commands} >= {
        ("retention", "run"),
        ("deadlines", "refresh"),
        ("sessions", "purge"),
        ("backup", "create"),
        ("audit", "verify"),
    }
    group = FlaskGroup(create_app=lambda: app)
    # Looking a command up pushes an app context onto the click context; leaving it closes both.
    with click.Context(group, obj=ScriptInfo(create_app=lambda: app)) as context:
        for unit, words in commands:
            command = group.get_command(context, words[0])
            assert command is not None, f"{unit}: no command {words[0]!r}"
            assert command.get_command(context, words[1]) is not None, f"{unit}: no command {words[0]} {words[1]!r}"


def test_every_timer_starts_a_service_and_every_unit_runs_as_the_service_user():
    timers = sorted(UNITS.glob("*.timer"))
    assert timers
    for timer in timers:
        assert timer.with_suffix(".service").is_file(), timer.name
        assert "Persistent=true" in timer.read_text(), f"{timer.name}: a missed run (machine off) must run at boot"
    for service in UNITS.glob("*.service"):
        text = service.read_text()
        assert "User=casework" in text and "EnvironmentFile=/etc/casework/casework.env" in text, service.name
        assert "ProtectSystem=strict" in text and "NoNewPrivileges=yes" in text, service.name


def test_the_worker_unit_starts_the_job_queue_that_exists():
    words = _exec_lines(UNITS / "casework-worker.service")[0].split()
    assert words[0].endswith("/huey_consumer")
    module, attribute = words[1].rsplit(".", 1)
    assert attribute == "queue" and importlib.util.find_spec(module) is not None, words[1]


def test_the_app_unit_runs_gunicorn_with_the_project_settings():
    words = _exec_lines(UNITS / "casework.service")[0].split()
    assert words[0].endswith("/gunicorn") and words[1:3] == ["-c", "gunicorn.conf.py"]
    assert words[3].strip('"') == "casework:create_app()"


# Reverse proxies ----------------------------------------------------------------------------


def test_nginx_passes_the_client_address_and_scheme_and_logs_no_query_or_token():
    text = (DEPLOY / "proxy" / "nginx.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text, "a client-sent X-Forwarded-For must not pass"
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert "proxy_pass http://127.0.0.1:8000;" in text
    log_format = next(line for line in text.splitlines() if line.startswith("log_format"))
    assert "$request " not in log_format and "$request_uri" not in log_format and "$args" not in log_format
    assert "CASEWORK_TRUSTED_PROXIES=1" in text


def test_caddy_sets_the_forwarded_headers_and_keeps_no_access_log():
    text = (DEPLOY / "proxy" / "Caddyfile").read_text()
    assert "reverse_proxy 127.0.0.1:8000" in text and "header_up X-Forwarded-Proto {scheme}" in text
    assert not re.search(r"^\s*log\b", text, re.M), "Caddy's access log would keep query strings"
    assert "CASEWORK_TRUSTED_PROXIES=1" in text


# Lock files ---------------------------------------------------------------------------------


def _pins(path: Path) -> dict[str, str]:
    text = path.read_text()
    pins = dict(re.findall(r"(?m)^([A-Za-z0-9._-]+)==(\S+) \\$", text))
    unhashed = re.findall(r"(?m)^[A-Za-z0-9._-]+==\S+$", text)
    assert not unhashed, f"{path.name}: pins without hashes: {unhashed}"
    return {canonicalize_name(name): version for name, version in pins.items()}


def canonicalize_name(name: str) -> str:
    """PEP 503: "Flask_SQLAlchemy" and "flask-sqlalchemy" are the same project."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _named(requirements: list[str]) -> set[str]:
    return {canonicalize_name(re.match(r"[A-Za-z0-9._-]+", requirement).group()) for requirement in requirements}


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PRODUCTION_LOCK = ROOT / "requirements" / "lock.txt"
DEVELOPMENT_LOCK = ROOT / "requirements" / "dev-lock.txt"


def test_the_production_lock_pins_every_dependency_and_no_demo_or_test_package():
    pins = _pins(PRODUCTION_LOCK)
    wanted = _named(PROJECT["dependencies"] + PROJECT["optional-dependencies"]["redis"])
    assert wanted <= set(pins), f"not pinned: {wanted - set(pins)}"
    extras = _named(PROJECT["optional-dependencies"]["demo"] + PROJECT["optional-dependencies"]["test"]) - wanted
    assert not extras & set(pins), f"demo or test packages in production: {extras & set(pins)}"


def test_the_development_lock_adds_to_the_production_pins_without_changing_them():
    production, development = _pins(PRODUCTION_LOCK), _pins(DEVELOPMENT_LOCK)
    every = PROJECT["dependencies"] + [item for extra in PROJECT["optional-dependencies"].values() for item in extra]
    assert _named(every) <= set(development), f"not pinned: {_named(every) - set(development)}"
    assert {name: development[name] for name in production} == production


#: Pythons the locks must install on: the oldest that pyproject.toml admits and Debian 12's, which
#: the deployment guide installs with (`apt-get install python3`). A lock is made on one Python, and
#: pip-compile leaves out what a package needs only on another: redis needs async-timeout before
#: 3.11.3, so `pip install --require-hashes` refused both locks on Debian 12 until it was listed.
SUPPORTED_PYTHONS = ("3.11.0", "3.11.2")


@pytest.mark.parametrize("lock", [PRODUCTION_LOCK, DEVELOPMENT_LOCK], ids=lambda path: path.name)
@pytest.mark.parametrize("python", SUPPORTED_PYTHONS)
def test_each_lock_pins_what_its_packages_need_on_every_supported_python(lock, python):
    """Each locked package's own requirements, as its installed metadata states them, evaluated for
    `python` on this platform (without extras: the lock pins those it needs by name)."""
    pins = _pins(lock)
    environment = {**default_environment(), "python_full_version": python, "python_version": python.rsplit(".", 1)[0]}
    missing = set()
    for name in pins:
        for requirement in map(Requirement, metadata.distribution(name).requires or []):
            if requirement.marker is None or requirement.marker.evaluate({**environment, "extra": ""}):
                if canonicalize_name(requirement.name) not in pins:
                    missing.add(f"{requirement.name} (for {name})")
    assert not missing, f"{lock.name} on Python {python} lacks: {sorted(missing)}"


def test_flask_security_comes_without_the_extras_casework_does_not_use():
    for lock in (PRODUCTION_LOCK, DEVELOPMENT_LOCK):
        unused = {"webauthn", "flask-mail", "bcrypt", "nh3", "phonenumberslite"} & set(_pins(lock))
        assert not unused, f"{lock.name}: {unused}"


def test_make_installs_from_the_lock_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements/dev-lock.txt" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile


# docs/deployment.md -------------------------------------------------------------------------

SETTING = re.compile(r'_(?:env|int|float|optional_int)\("([A-Z_]+)"|environ(?:\.get)?[(\[]"(CASEWORK_[A-Z_]+)"')


def _variables_read() -> set[str]:
    names = set()
    for source in [*sorted((ROOT / "casework").rglob("*.py")), ROOT / "gunicorn.conf.py"]:
        for short, full in SETTING.findall(source.read_text()):
            names.add(full or f"CASEWORK_{short}")
    return names


def test_every_setting_the_code_reads_is_documented():
    variables = _variables_read()
    assert {"CASEWORK_SECRET_KEY", "CASEWORK_DATABASE_URL", "CASEWORK_WORKERS"} <= variables
    guide = GUIDE.read_text()
    missing = sorted(name for name in variables if f"`{name}`" not in guide)
    assert not missing, f"not in docs/deployment.md: {missing}"


def test_the_example_environment_names_only_real_settings():
    example = (DEPLOY / "casework.env.example").read_text()
    named = set(re.findall(r"(?m)^(CASEWORK_[A-Z_]+)=", example))
    assert named and named <= _variables_read(), named - _variables_read()
    assert "CASEWORK_ENV=production" in example


def test_the_guide_names_every_deployment_file():
    guide = GUIDE.read_text()
    files = [path.relative_to(ROOT).as_posix() for path in DEPLOY.rglob("*") if path.is_file()]
    missing = [name for name in files if name not in guide and Path(name).name not in guide]
    assert not missing, f"docs/deployment.md does not mention {missing}"
