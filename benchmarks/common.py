"""Helpers shared by benchmarks: percentiles, CSRF tokens, the two-step sign-in (password, then a TOTP
code), and scratch PostgreSQL databases."""

import math
import os
import re
import statistics
import time
import uuid

from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import make_url

from casework.extensions import db, security
from casework.models import User

#: The PostgreSQL server benchmarks make their scratch databases on.
POSTGRES_URL = os.environ.get("CASEWORK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) in seconds; p95 by nearest rank (the 48th of 50 samples)."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def ms(samples: list[float]) -> str:
    p50, p95 = percentiles(samples)
    return f"p50 {p50 * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def csrf_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    if match is None:
        raise RuntimeError("the page has no CSRF token")
    return match.group(1) or match.group(2)


def sign_in(app, client, email: str, password: str) -> None:
    """Password, then the current TOTP code of the account. Codes work once, so the account's last
    accepted time step is cleared first: the same account can sign in again within 30 seconds."""
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(client.get("/login").get_data(as_text=True))},
    )
    if response.status_code != 302:
        raise RuntimeError(f"password step refused for {email}: HTTP {response.status_code}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        db.session.execute(update(User).where(User.email == email).values(tf_totp_last_counter=None))
        db.session.commit()
        code = security.totp_factory.generate_totp_password(
            db.session.scalar(select(User.tf_totp_secret).where(User.email == email))
        )
    response = client.post("/tf-validate", data={"code": code, "csrf_token": csrf_from(page)})
    if response.status_code != 302:
        raise RuntimeError(f"code step refused for {email}: HTTP {response.status_code}")


def _on_server(statement: str) -> None:
    """Run one statement that cannot run in a transaction (CREATE or DROP DATABASE) on the server."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(statement))
    finally:
        admin.dispose()


def create_database(purpose: str) -> str:
    """A new, empty database on the PostgreSQL server, for one benchmark run; its URL."""
    name = f"casework_bench_{purpose}_{uuid.uuid4().hex[:12]}"
    _on_server(f'CREATE DATABASE "{name}"')
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    _on_server(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def settle(url: str) -> float | None:
    """After seeding on PostgreSQL, VACUUM ANALYZE, as autovacuum would within minutes of a bulk load;
    returns its seconds (None on SQLite, which keeps no statistics unless asked).

    Measured without it, the due list at 100,000 cases had p50 31.5 ms but p95 750 ms (2026-12-02):
    three of its 50 requests ran while autovacuum worked through the 98,000 new rows. The same page on
    a copy seeded the same way with autovacuum off gave p95 37.5 ms with the statistics of 1,000
    cases and 29.8 ms after ANALYZE, so the figure was the maintenance, not the page."""
    if not url.startswith("postgresql"):
        return None
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        began = time.perf_counter()
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
        return time.perf_counter() - began
    finally:
        engine.dispose()
