"""Throughput as deployed: Casework under gunicorn with the project's settings, against hello world.

On a scratch PostgreSQL database holding 1,000 DEMO cases (`flask demo seed`, then VACUUM ANALYZE: the
server here runs without autovacuum, and a planner without statistics joined all 869 open cases to
their people before keeping 25, 5.0 ms a case list instead of 0.25 ms), two gunicorn servers
run, installed as docs/deployment.md installs Casework (the system's python3, requirements/lock.txt;
this benchmark's environment where there is no /usr/bin/python3), with `gunicorn.conf.py` and the same worker count (CASEWORK_WORKERS, 3 here unless set): Casework
with production settings (Redis for sessions, one trusted proxy, requests sent as if through it) and
a hello-world Flask app (`benchmarks/hello.py`). Then:

1. wrk, the same client for both, `-t2 -c16 --timeout 10s` for five seconds a run, in three rounds; each round runs,
   one after the other, hello world, two floors (the health check, and the signed-in help page that
   has the session, the account and the page frame but no case data), the case list, a case page and
   a search by phone (a POST with its CSRF token, as the page sends it). Each page's requests per second are divided by hello world's of
   the same round; the min, median and max of the three ratios are printed, and where each page's
   machine time goes: CPU milliseconds per request of the app server, PostgreSQL and Redis (from
   /proc, so on Linux), which say whether a page waits on the database or on the app's own work.
2. 50 clients for 60 seconds, each signed in as a coordinator of its own, one request after another
   without pause: 70% reads (the case list or a case page), 20% notes, 10% intakes of new people.
   Errors (anything but the expected status) and p50/p95 of each kind; the requests per second
   also as a share of hello world's, run for five seconds just before and just after the mix; the
   CPU each request cost and how busy the machine was; then each of the app's workers' resident
   memory, which says whether a worker grows between restarts.

Every figure is printed with the machine's load average at that moment: on a shared machine the
ratios move with the neighbours' load, so read them together. Aims (issue 11): each ratio at least
0.25 (0.40 wanted); the mix with no errors and p95 under 300 ms.
"""

import http.client
import itertools
import os
import platform
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import date, timedelta
from pathlib import Path

from benchmarks.common import create_database, drop_database, settle
from benchmarks.report import say

REDIS_URL = os.environ.get("CASEWORK_BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
CASES = 1_000
CLIENTS = 50
PASSWORD = "benchmark coordinator passphrase, not for real use"
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.20", "X-Forwarded-Host": "casework.bench.test"}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
#: The Python production runs: docs/deployment.md installs Casework with the system's python3, which
#: may be another build than the one running this benchmark (a PGO and LTO build, say, against one
#: without). Both servers run on it, from the production lock; seeding still uses this environment,
#: because the demo data needs faker, which production never installs.
DEPLOYED_PYTHON = Path(os.environ.get("CASEWORK_BENCH_PYTHON", "/usr/bin/python3"))

# HTTP as a browser behind the proxy -----------------------------------------------------------


class Client:
    """One signed-in browser: the proxy's headers, the session cookie kept by hand (it is Secure and
    `__Host-`, which a cookie jar would not send over plain http), redirects not followed."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        headers = dict(PROXY_HEADERS)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = urllib.parse.urlencode(form, doseq=True) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    pair = value.split(";", 1)[0]
                    cookie, _, content = pair.partition("=")
                    self.cookies[cookie.strip()] = content
            return response.status, {name.lower(): value for name, value in response.getheaders()}, text
        finally:
            connection.close()

    def csrf(self, path: str) -> str:
        status, _, page = self.request("GET", path)
        match = CSRF.search(page)
        if status != 200 or match is None:
            raise RuntimeError(f"GET {path}: HTTP {status}, no CSRF token")
        return match.group(1) or match.group(2)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def sign_in(client: Client, email: str, code: str) -> None:
    status, headers, _ = client.request(
        "POST", "/login", {"email": email, "password": PASSWORD, "csrf_token": client.csrf("/login")}
    )
    if status != 302:
        raise RuntimeError(f"password step for {email}: HTTP {status}")
    token = client.csrf(urllib.parse.urlsplit(headers["location"]).path)
    status, _, _ = client.request("POST", "/tf-validate", {"code": code, "csrf_token": token})
    if status != 302:
        raise RuntimeError(f"code step for {email}: HTTP {status}")


# Set-up: database, accounts, servers ----------------------------------------------------------


def flask(environment: dict, *args: str) -> None:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "casework", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")


def app_with(environment: dict):
    """Casework in this process with exactly the server's settings, to prepare what the clients need."""
    from casework import create_app

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environment)
    try:
        return create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def close(app) -> None:
    """Give back the app's connections, so that the scratch database can be dropped."""
    from casework.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def make_coordinators(app, count: int) -> list[tuple[str, str]]:
    """`count` ordinary coordinator accounts with a password and an authenticator: (e-mail, secret)."""
    from flask_security import hash_password

    from casework.admin import operations
    from casework.extensions import db, security

    accounts = []
    with app.app_context():
        for number in range(count):
            user = operations.invite_user(f"bench.coordinator.{number}@casework.example.org", "coordinator")
            user.password = hash_password(PASSWORD)
            user.tf_primary_method = "authenticator"
            user.tf_totp_secret = security.totp_factory.generate_totp_secret()
            accounts.append((user.email, user.tf_totp_secret))
        db.session.commit()
    return accounts


def current_code(app, secret: str) -> str:
    from casework.extensions import security

    with app.app_context():
        return security.totp_factory.generate_totp_password(secret)


def some_cases(app, how_many: int = 20) -> list[tuple[str, str]]:
    """(case id, phone) of cases picked at random, the phone decrypted as the app decrypts it."""
    from sqlalchemy import func, select

    from casework.extensions import db
    from casework.models import Case, Person

    with app.app_context():
        rows = db.session.execute(
            select(Case.id, Person).join(Person, Case.person_id == Person.id).order_by(func.random()).limit(how_many)
        ).all()
        return [(case_id, person.phone) for case_id, person in rows if person.phone]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def deployed_environment(folder: Path) -> Path:
    """The bin folder the servers run from: a virtual environment of DEPLOYED_PYTHON with the
    production lock, made as docs/deployment.md makes it; this benchmark's own when that is missing."""
    if not DEPLOYED_PYTHON.exists():
        say(f"  {DEPLOYED_PYTHON} not found: the servers run on this benchmark's Python {platform.python_version()}")
        return BIN
    started, venv = time.perf_counter(), folder / "deployed"
    python = str(venv / "bin" / "python")
    for command in (
        [str(DEPLOYED_PYTHON), "-m", "venv", str(venv)],
        [python, "-m", "pip", "install", "--quiet", "--require-hashes", "-r", "requirements/lock.txt"],
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", "."],
    ):
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    version = subprocess.run([python, "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True)
    say(
        f"  servers on {DEPLOYED_PYTHON} (Python {version.stdout.strip()}) with requirements/lock.txt, installed as "
        f"docs/deployment.md installs them ({time.perf_counter() - started:.0f} s)"
    )
    return venv / "bin"


def serve(target: str, environment: dict, log: Path, bin_folder: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [str(bin_folder / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", target]
    server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log.open("w"), stderr=subprocess.STDOUT)
    for _ in range(120):
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn {target} exited:\n{log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return server, port
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn {target} did not start")


# Where a request's machine time goes --------------------------------------------------------------


def _cpu_ticks(pid: int) -> int:
    """CPU time of a process and of its children that have ended (gunicorn's recycled workers,
    PostgreSQL's closed backends), in clock ticks; 0 once the process has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return sum(int(value) for value in fields[11:15])


def _processes(server: int) -> dict[str, list[int]]:
    """The app server's master and workers, PostgreSQL's processes and Redis's, by group."""
    groups: dict[str, list[int]] = {"app": [], "PostgreSQL": [], "Redis": []}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name = (entry / "comm").read_text().strip()
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        pid = int(entry.name)
        if name == "postgres":
            groups["PostgreSQL"].append(pid)
        elif name == "redis-server":
            groups["Redis"].append(pid)
        elif pid == server or parent == server:
            groups["app"].append(pid)
    return groups


class CpuMeter:
    """Machine time per request of the app server, PostgreSQL and Redis over one run, from /proc
    (Linux): which of them a page's cost lies in. The load generator and the kernel's network work
    are not counted. Each group's total is read before and after: a worker recycled during the run
    leaves the processes, and its time, before and since, moves to its master's ended children."""

    def __init__(self, server: int):
        self.server = server
        self.before: dict[str, int] = {}

    def _totals(self) -> dict[str, int]:
        return {group: sum(_cpu_ticks(pid) for pid in pids) for group, pids in _processes(self.server).items()}

    def start(self) -> None:
        self.before = self._totals()

    def per_request(self, requests: float) -> dict[str, float]:
        """Milliseconds of CPU per request, by group, since `start`."""
        tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
        return {group: (total - self.before[group]) * tick_ms / max(requests, 1) for group, total in self._totals().items()}


def worker_memory(server: int) -> list[int]:
    """Resident memory of each of the server's workers, in MB: whether a worker keeps growing between
    the restarts gunicorn.conf.py's max_requests allows."""
    sizes = []
    for pid in _processes(server)["app"]:
        if pid == server:
            continue
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) // 1024)
    return sorted(sizes)


# 1. Ratios against hello world, with wrk --------------------------------------------------------


def wrk(port: int, path: str, seconds: int, headers: dict, script: Path | None = None) -> tuple[float, int]:
    """(requests per second, failed requests: non-2xx/3xx answers and socket errors)."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        # Sync workers close each connection; reads that find it closed are not failed requests.
        failed += int(socket_errors.group(1)) + int(socket_errors.group(3)) + int(socket_errors.group(4))
    return rate, failed


def search_script(folder: Path, phone: str, token: str) -> Path:
    script = folder / "search.lua"
    body = urllib.parse.urlencode({"field": "phone", "value": phone, "csrf_token": token})
    script.write_text(
        f'wrk.method = "POST"\nwrk.body = "{body}"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
    )
    return script


def ratios(
    app: tuple[subprocess.Popen, int],
    hello_port: int,
    client: Client,
    cases: list[tuple[str, str]],
    folder: Path,
    rounds: int,
    seconds: int,
) -> None:
    app_server, app_port = app
    meter = CpuMeter(app_server.pid)
    case_id, phone = cases[0]
    token = client.csrf("/cases/search")
    status, _, page = client.request("POST", "/cases/search", {"field": "phone", "value": phone, "csrf_token": token})
    if status != 200 or case_id not in page:
        raise RuntimeError(f"search by phone did not find case {case_id} (HTTP {status})")
    headers = {**PROXY_HEADERS, "Cookie": client.cookie_header()}
    pages = {
        # Two floors to read the pages against: the health check (a request and one database
        # statement) and the signed-in help page (the session, the account and the page frame; no
        # case data, no audit row). Not among the aims.
        "floor: GET /healthz": ("/healthz", None),
        "floor: GET /cases/help (signed in)": ("/cases/help", None),
        "case list (GET /cases/)": ("/cases/", None),
        "case page (GET /cases/<id>)": (f"/cases/{case_id}", None),
        "search by phone (POST /cases/search)": ("/cases/search", search_script(folder, phone, token)),
    }
    found: dict[str, list[float]] = {label: [] for label in pages}
    spent: dict[str, list[dict[str, float]]] = {label: [] for label in pages}
    for number in range(1, rounds + 1):
        base, base_failed = wrk(hello_port, "/", seconds, headers)
        say(f"  round {number}: hello world {base:8.1f} req/s ({base_failed} failed)")
        for label, (path, script) in pages.items():
            meter.start()
            rate, failed = wrk(app_port, path, seconds, headers, script)
            spent[label].append(meter.per_request(rate * seconds))
            found[label].append(rate / base)
            say(f"  round {number}: {label:<38} {rate:8.1f} req/s = {rate / base:6.1%} of hello world ({failed} failed)")
    say(f"throughput against hello world, {rounds} rounds (aim: at least 25%, 40% wanted):")
    for label, values in found.items():
        say(f"  {label:<38} min {min(values):6.1%}   median {statistics.median(values):6.1%}   max {max(values):6.1%}")
    say("CPU per request, median of the rounds (the app server's processes, PostgreSQL's, Redis's):")
    for label, runs in spent.items():
        parts = "   ".join(f"{group} {statistics.median(run[group] for run in runs):5.2f} ms" for group in runs[0])
        say(f"  {label:<38} {parts}")


# 2. The mix: 50 clients, 70% reads, 20% notes, 10% intakes ----------------------------------------


SYLLABLES = ("ko", "va", "le", "mi", "ro", "sa", "ni", "to", "pe", "du", "ra", "zo", "ki", "bo")
CYRILLIC = str.maketrans(
    {
        "a": "а",
        "b": "б",
        "d": "д",
        "e": "е",
        "i": "и",
        "k": "к",
        "l": "л",
        "m": "м",
        "n": "н",
        "o": "о",
        "p": "п",
        "r": "р",
        "s": "с",
        "t": "т",
        "u": "у",
        "v": "в",
        "z": "з",
    }
)


def new_person(rng: random.Random, serial: int) -> dict:
    """An intake of someone nobody has logged yet: random names, a phone number no one else has."""
    surname = "".join(rng.choice(SYLLABLES) for _ in range(4)).capitalize() + "ov"
    given = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
    return {
        "consent_store": "y",
        "consent_contact": "y",
        "consent_method": "telegram",
        "surname_latin": surname,
        "given_names_latin": given,
        "surname_cyrillic": surname.lower().translate(CYRILLIC).capitalize(),
        "given_names_cyrillic": given.lower().translate(CYRILLIC).capitalize(),
        "date_of_birth": date(1970 + rng.randrange(35), 1 + rng.randrange(12), 1 + rng.randrange(28)).isoformat(),
        "sex": "M",
        "phone": f"+7916{serial:07d}",
        "location": "netherlands",
        "military_situation": "reservist",
        "rank_group": "soldier",
        "dutch_status": "schengen_visa",
        "permit_expires_on": (date.today() + timedelta(days=30)).isoformat(),
        "needs": ["legal_advice"],
        "narrative": "Benchmark intake.",
    }


def _machine_ticks() -> tuple[int, int]:
    """(busy, all) clock ticks of every CPU since boot, from /proc/stat (Linux): whether a run used the
    whole machine or waited on something else."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def mix(server: int, port: int, clients: list[Client], cases: list[tuple[str, str]], seconds: int, hello_port: int) -> None:
    """The mix, and its throughput as a share of hello world's measured just before and just after it:
    this machine ran the same code's mix at 116 req/s and at 155 req/s a quarter of an hour apart, so
    runs are compared by that share rather than by their requests per second alone."""
    hello_before = wrk(hello_port, "/", 5, PROXY_HEADERS)[0]
    serials = itertools.count(1)
    results: dict[str, list[float]] = {"read": [], "note": [], "intake": []}
    errors: dict[str, int] = {}
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run(client: Client, seed: int) -> None:
        rng = random.Random(seed)
        token = client.csrf("/cases/new")
        while time.perf_counter() < stop:
            roll = rng.random()
            case_id = rng.choice(cases)[0]
            if roll < 0.70:
                kind, expected, request = "read", 200, ("GET", "/cases/" if rng.random() < 0.5 else f"/cases/{case_id}", None)
            elif roll < 0.90:
                kind, expected, request = (
                    "note",
                    302,
                    ("POST", f"/cases/{case_id}/notes", {"body": "Called back; benchmark note.", "csrf_token": token}),
                )
            else:
                kind, expected, request = (
                    "intake",
                    302,
                    ("POST", "/cases/new", {**new_person(rng, next(serials)), "csrf_token": token}),
                )
            started = time.perf_counter()
            try:
                status = client.request(*request)[0]
            except OSError as failure:
                status = type(failure).__name__
            took = time.perf_counter() - started
            with lock:
                results[kind].append(took)
                if status != expected:
                    errors[f"{kind} {status}"] = errors.get(f"{kind} {status}", 0) + 1

    threads = [threading.Thread(target=run, args=(client, number)) for number, client in enumerate(clients)]
    meter, (busy_before, all_before) = CpuMeter(server), _machine_ticks()
    meter.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = sum(len(samples) for samples in results.values())
    cpu = meter.per_request(total)
    busy_after, all_after = _machine_ticks()
    hello = (hello_before + wrk(hello_port, "/", 5, PROXY_HEADERS)[0]) / 2
    say(
        f"{len(clients)} clients for {seconds} s, 70% reads / 20% notes / 10% intakes on PostgreSQL (aim: 0 errors, p95 under 300 ms):"
    )
    say(
        f"  {total} requests, {total / seconds:.1f} req/s ({100 * total / seconds / hello:.2f}% of hello world's"
        f" {hello:.0f} req/s around it), errors: {sum(errors.values())} {errors or ''}"
    )
    say(
        f"  CPU per request: app {cpu['app']:.2f} ms, PostgreSQL {cpu['PostgreSQL']:.2f} ms, Redis {cpu['Redis']:.2f} ms;"
        f" the machine's {os.cpu_count()} CPUs {100 * (busy_after - busy_before) / max(all_after - all_before, 1):.0f}% busy"
    )
    every = [took for samples in results.values() for took in samples]
    for kind, samples in [*results.items(), ("all", every)]:
        if samples:
            ordered = sorted(samples)
            p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
            say(
                f"  {kind:<7} {len(samples):6d} requests   p50 {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"
            )


# The run -------------------------------------------------------------------------------------------


def main(rounds: int = 3, wrk_seconds: int = 5, clients: int = CLIENTS, mix_seconds: int = 60) -> None:
    """Everything above; `rounds=0` runs the mix alone (`--mix-only`), which is how two versions of the
    code are compared: the mix of each, on a checkout of each, one after the other, twice or more."""
    if shutil.which("wrk") is None:
        say("throughput: wrk is not installed (apt-get install wrk); nothing measured")
        return
    say(f"throughput: gunicorn with gunicorn.conf.py, {CASES:,} DEMO cases on PostgreSQL")
    url = create_database("throughput")
    folder = Path(tempfile.mkdtemp(prefix="casework-bench-throughput-"))
    servers: list[subprocess.Popen] = []
    app = None
    try:
        base = {key: value for key, value in os.environ.items() if not key.startswith("CASEWORK_")}
        common = {
            **base,
            "CASEWORK_SECRET_KEY": secrets.token_urlsafe(48),
            "CASEWORK_DATABASE_URL": url,
            "CASEWORK_KEY_FILE": str(folder / "keys.json"),
            "CASEWORK_DOCUMENT_DIR": str(folder / "documents"),
            "CASEWORK_LOG_LEVEL": "WARNING",
        }
        development = {**common, "CASEWORK_ENV": "development"}
        production = {
            **common,
            "CASEWORK_ENV": "production",
            "CASEWORK_REDIS_URL": REDIS_URL,
            "CASEWORK_BASE_URL": "https://casework.bench.test",
            "CASEWORK_TRUSTED_PROXIES": "1",
            "CASEWORK_WORKERS": os.environ.get("CASEWORK_WORKERS", "3"),
        }
        flask(development, "keys", "init")
        flask(development, "db", "upgrade")
        started = time.perf_counter()
        flask(development, "demo", "seed", "--cases", str(CASES), "--seed", "11")
        say(f"  seeded in {time.perf_counter() - started:.0f} s")
        say(f"  VACUUM ANALYZE after seeding: {settle(url):.1f} s")
        app = app_with(production)
        accounts = make_coordinators(app, clients)
        cases = some_cases(app)
        deployed = deployed_environment(folder)
        app_server, app_port = serve("casework:create_app()", production, folder / "casework.log", deployed)
        servers.append(app_server)
        hello_server, hello_port = serve("benchmarks.hello:app", production, folder / "hello.log", deployed)
        servers.append(hello_server)
        say(f"  two servers with {production['CASEWORK_WORKERS']} workers each")
        signed_in = []
        for email, secret in accounts:
            client = Client(app_port)
            sign_in(client, email, current_code(app, secret))
            signed_in.append(client)
        if rounds:
            ratios((app_server, app_port), hello_port, signed_in[0], cases, folder, rounds, wrk_seconds)
        mix(app_server.pid, app_port, signed_in, cases, mix_seconds, hello_port)
        say(f"  the app's workers after every run above: RSS {', '.join(f'{mb} MB' for mb in worker_memory(app_server.pid))}")
    finally:
        for server in servers:
            server.terminate()
            server.wait()
        if app is not None:
            close(app)
        drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(rounds=0 if "--mix-only" in sys.argv[1:] else 3)
