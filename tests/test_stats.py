"""Anonymised statistics: the fourteen attacks of statistics.md as tests, and who may see, request
and approve releases.

Cases count in the quarter of their person's first intake (Case.created_at), so the helpers below
place people in closed quarters (today is after 2026Q3) by setting created_at and refreshing the
coded facts (the age band at intake). Attack 13, the statistical one, lives in test_stats_slow.py.
"""

import csv
import html
import io
import json
import logging
import re
import subprocess
import sys
import threading
import uuid
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError, OperationalError

from casework import clock, create_app
from casework.cases import operations as case_operations
from casework.extensions import db
from casework.models import Case, LedgerEntry, Person, Release, User
from casework.stats import ledger, operations, privacy
from casework.stats.catalogue import CATALOGUE, first_case_rows, period_bounds, tally
from casework.stats.ledger import BudgetRefused
from casework.stats.operations import ReleaseRefused
from tests.conftest import csrf_from
from tests.factories import INTAKE

STATS_SOURCE = Path(__file__).resolve().parent.parent / "casework" / "stats"

Q1, Q2, Q3 = "2026Q1", "2026Q2", "2026Q3"
IN_Q1 = datetime(2026, 2, 11, 9, 15)
IN_Q2 = datetime(2026, 5, 6, 14, 30)
IN_Q3 = datetime(2026, 8, 14, 10, 45)
TABLE_IDS = [table.id for table in CATALOGUE]
SVG = "{http://www.w3.org/2000/svg}"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
CLOCK_TIME = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}")


# Helpers -------------------------------------------------------------------------------------


def shown_correctly(value: str) -> bool:
    """The display rule, as a reader sees it: "<10", or a multiple of 5 of at least 10."""
    return value == "<10" or (value.isdigit() and int(value) >= 10 and int(value) % 5 == 0)


def own_identifiers() -> dict[str, str]:
    """Names, phone and Telegram of a person of their own: shared ones would make records one group.
    Names are compared by their letters only, so the mark is twelve random letters."""
    mark = uuid.uuid4().hex[:12].translate(str.maketrans("0123456789", "ghklmnprst"))
    return {
        "surname_latin": f"Person{mark}",
        "surname_cyrillic": f"Лицо{mark}",
        "phone": f"+7916{uuid.uuid4().int % 10**7:07d}",
        "telegram": f"@p{mark}",
    }


def add_people(app, actor: User, count: int, when: datetime, **overrides) -> list[tuple[str, str]]:
    """`count` new people, each with one case opened at `when` and identifiers of their own;
    returns (case id, person id) pairs."""
    made = []
    with app.app_context():
        author = db.session.get(User, actor.id)
        for _ in range(count):
            data = {**INTAKE, **own_identifiers(), **overrides}
            case = case_operations.create_case(data, author)
            case.created_at = when
            case_operations.refresh_coded_facts(case)
            made.append((case.id, case.person_id))
        db.session.commit()
    return made


def add_case_for(app, actor: User, person_id: str, when: datetime, **overrides) -> str:
    """Another case for an existing person, opened at `when`."""
    with app.app_context():
        author = db.session.get(User, actor.id)
        person = db.session.get(Person, person_id)
        case = case_operations.create_case({**INTAKE, **overrides}, author, existing_person=person)
        case.created_at = when
        case_operations.refresh_coded_facts(case)
        db.session.commit()
        return case.id


def publish(app, period: str, actor: User | None) -> tuple[dict, dict]:
    """Request `period` (as the command line does) and approve it as `actor`; returns the published
    JSON and the internal values."""
    with app.app_context():
        who = db.session.get(User, actor.id) if actor else None
        release = operations.request_release(period, None)
        operations.publish(release, who)
        db.session.commit()
        return json.loads(release.content), json.loads(release.internal)


def count_period(period: str, counted: set[str] | None = None) -> dict[str, list[int]]:
    """The true tables of `period` over the `counted` people's first cases; by default over those its
    release would count now. In an app context."""
    rows = first_case_rows(period)
    if counted is None:
        counted = operations.contributors.plan(period, {row[0] for row in rows}).counted
    return tally(rows, counted)


def true_counts(app, period: str) -> dict[str, list[int]]:
    """What a release of `period` would count now (nothing, once the period's people were counted)."""
    with app.app_context():
        return count_period(period)


def counts_of(app, period: str, people: set[str]) -> dict[str, list[int]]:
    """The period's tables over these people's first cases, whether or not a release counted them."""
    with app.app_context():
        return count_period(period, people)


def ledger_rows(app) -> list[tuple[str, str, float]]:
    with app.app_context():
        rows = db.session.execute(
            select(LedgerEntry.period, LedgerEntry.table_id, LedgerEntry.epsilon).order_by(LedgerEntry.id)
        ).all()
        return [tuple(row) for row in rows]


def get_ok(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
    return response.get_data()


def fetch_exports(client, period: str) -> dict[str, bytes]:
    """Every export of a published period: CSV, JSON, the HTML page and each table's chart."""
    out = {
        "csv": get_ok(client, f"/stats/releases/{period}.csv"),
        "json": get_ok(client, f"/stats/releases/{period}.json"),
        "page": get_ok(client, f"/stats/releases/{period}"),
    }
    for table_id in TABLE_IDS:
        out[f"{table_id}.svg"] = get_ok(client, f"/stats/releases/{period}/{table_id}.svg")
    return out


def json_values(body: bytes) -> list[str]:
    """Every displayed value of the JSON export: each cell and each table's total."""
    data = json.loads(body)
    values = []
    for table in data["tables"]:
        values += [cell["value"] for cell in table["cells"]]
        values.append(table["total"])
    return values


def csv_rows(body: bytes) -> list[list[str]]:
    """The data rows of the CSV export (after the comment lines and the header row)."""
    rows = [row for row in csv.reader(io.StringIO(body.decode("utf-8"))) if row and not row[0].startswith("#")]
    assert rows[0] == ["table", "category", "people"], rows[0]
    return rows[1:]


def csv_rows_any_header(body: bytes) -> list[list[str]]:
    """The data rows of a CSV export in any language."""
    return [row for row in csv.reader(io.StringIO(body.decode("utf-8"))) if row and not row[0].startswith("#")][1:]


def page_cells(body: bytes) -> list[str]:
    """The value cells of the release page's tables."""
    return [html.unescape(cell).strip() for cell in re.findall(r"<td>([^<]*)</td>", body.decode("utf-8"))]


def page_row_headers(body: bytes) -> list[str]:
    return [html.unescape(cell).strip() for cell in re.findall(r'<th scope="row">([^<]*)</th>', body.decode("utf-8"))]


def main_text(body: bytes, start: str = '<main id="main">') -> str:
    """The text of the page's <main> element (or of its part from `start` on): what the page says."""
    page = body.decode("utf-8")
    main = page[page.index(start) : page.index("</main>")]
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def svg_texts(body: bytes) -> dict[str, list[str]]:
    """The text of a chart, by role: the bar labels (one per cell) and the axes' tick labels."""
    root = ET.fromstring(body)
    axes = root.find(f".//{SVG}g[@id='axes_1']")
    assert axes is not None
    found = {"bars": [], "xticks": [], "yticks": []}
    for group in axes.iter(f"{SVG}g"):
        group_id = group.get("id", "")
        if group_id.startswith(("xtick_", "ytick_")):
            texts = ["".join(text.itertext()) for text in group.iter(f"{SVG}text")]
            found["xticks" if group_id.startswith("xtick_") else "yticks"] += texts
    for group in axes.findall(f"{SVG}g"):  # direct children: the bar labels and the title
        if group.get("id", "").startswith("text_"):
            found["bars"] += ["".join(text.itertext()) for text in group.iter(f"{SVG}text")]
    found["bars"] = [text for text in found["bars"] if "·" not in text]  # not the title
    return found


def all_svg_text(body: bytes) -> str:
    return " ".join("".join(text.itertext()) for text in ET.fromstring(body).iter(f"{SVG}text"))


def skeleton(value, key: str | None = None):
    """A JSON document without its values: every displayed number, the period and date blanked."""
    if isinstance(value, dict):
        return {k: skeleton(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [skeleton(v) for v in value]
    if key in {"value", "total", "period", "released_on"}:
        return "*"
    return value


def token(client, path: str = "/stats/") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def releases(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(select(Release.period, Release.status)).all())


def epsilon_per_measurement(app) -> float:
    with app.app_context():
        return operations.epsilon_per_measurement()


def identity_noise(counts, epsilon):
    return [int(count) for count in counts]


@pytest.fixture
def staff(make_user):
    """An admin, who approves, and a coordinator, who logs the cases."""
    return {"admin": make_user("admin"), "coordinator": make_user("coordinator")}


# Attack 1: no value from 1 to 9 -----------------------------------------------------------------


def assert_displayed_values_follow_the_rule(exports: dict[str, bytes]) -> None:
    values = json_values(exports["json"])
    assert len(values) == sum(len(t.categories) for t in CATALOGUE) + len(CATALOGUE)
    assert all(shown_correctly(v) for v in values), values

    rows = csv_rows(exports["csv"])
    assert len(rows) == sum(len(t.categories) for t in CATALOGUE) + len(CATALOGUE) - 1  # the total table has no extra total row
    assert all(shown_correctly(row[2]) for row in rows), rows

    cells = page_cells(exports["page"])
    assert len(cells) == len(rows)
    assert all(shown_correctly(cell) for cell in cells), cells

    for table in CATALOGUE:
        bars = svg_texts(exports[f"{table.id}.svg"])["bars"]
        assert len(bars) == len(table.categories), (table.id, bars)
        assert all(shown_correctly(bar) for bar in bars), (table.id, bars)


def test_attack_1_no_export_shows_a_value_from_1_to_9_for_a_dataset_of_one_person(app, staff, signed_in):
    """Attack 1: no export (CSV, JSON, chart, page) ever shows a value from 1 to 9: each cell is
    "<10" or a multiple of 5 of at least 10, including a dataset of one person (real noise, three
    periods of one person each)."""
    client, _advocate = signed_in("advocate")
    for period, when in ((Q1, IN_Q1), (Q2, IN_Q2), (Q3, IN_Q3)):
        add_people(app, staff["coordinator"], 1, when)
        assert true_counts(app, period)["total"] == [1]
        publish(app, period, staff["admin"])
        assert_displayed_values_follow_the_rule(fetch_exports(client, period))


def test_attack_1_display_rule_on_adversarial_noise(app, staff, signed_in, monkeypatch):
    """Attack 1: whatever the noise gives (negative values, 1 to 9, values just above 10, odd
    values), every exported cell follows the display rule."""
    awkward = [-7, 1, 3, 9, 10, 11, 12, 13, 14, 17, 22, 23, 1007]
    draws = iter(range(1000))

    def awkward_noise(counts, epsilon):
        start = next(draws)
        return [awkward[(start + i) % len(awkward)] for i in range(len(counts))]

    monkeypatch.setattr(privacy, "add_noise", awkward_noise)
    client, _advocate = signed_in("advocate")
    add_people(app, staff["coordinator"], 1, IN_Q3)
    publish(app, Q3, staff["admin"])
    assert_displayed_values_follow_the_rule(fetch_exports(client, Q3))
    for value in range(-100, 2000):
        assert shown_correctly(privacy.display(value)), value
    assert [privacy.display(v) for v in (-5, 0, 1, 9, 10, 12, 13, 17, 18)] == [
        "<10",
        "<10",
        "<10",
        "<10",
        "10",
        "10",
        "15",
        "15",
        "20",
    ]


def test_attack_1_chart_axis_shows_no_small_or_fractional_numbers(app, staff, signed_in, monkeypatch):
    """Attack 1, in the chart's axis: the chart must not show a number from 1 to 9 anywhere, nor a
    negative or fractional number of people. Matplotlib's automatic x ticks do (2, 4, 6, 8 next to
    a bar of 10; -0.04 ... 0.04 when every cell is "<10")."""
    noisy = {1: [12], 5: [12, 0, 0, 0, 0], 4: [0, 0, 0, 0]}
    monkeypatch.setattr(privacy, "add_noise", lambda counts, epsilon: list(noisy[len(counts)]))
    client, _advocate = signed_in("advocate")
    add_people(app, staff["coordinator"], 1, IN_Q3)
    publish(app, Q3, staff["admin"])
    bad = {}
    for table_id in ("age_band", "sex"):  # a bar of 10, and all cells "<10"
        texts = svg_texts(get_ok(client, f"/stats/releases/{Q3}/{table_id}.svg"))
        wrong = [tick for tick in texts["xticks"] if tick.strip() and not (tick == "0" or shown_correctly(tick))]
        if wrong:
            bad[table_id] = wrong
    assert not bad, f"chart x-axis tick labels outside the display rule: {bad}"


# Attack 2: neighbouring datasets have the same layout -------------------------------------------


def test_attack_2_datasets_differing_by_one_person_have_the_same_keys_rows_and_columns(app, staff, signed_in):
    """Attack 2: two datasets differing by one person give the same keys, rows and columns: 2026Q2
    holds 12 people, 2026Q3 the same 12 and one more who alone fills otherwise empty cells
    (woman, 45+, in another Schengen state)."""
    client, _advocate = signed_in("advocate")
    add_people(app, staff["coordinator"], 12, IN_Q2)
    add_people(app, staff["coordinator"], 12, IN_Q3)
    add_people(app, staff["coordinator"], 1, IN_Q3, sex="F", date_of_birth=date(1970, 1, 1), location="schengen")
    counts_q2, counts_q3 = true_counts(app, Q2), true_counts(app, Q3)
    assert counts_q2["total"] == [12] and counts_q3["total"] == [13]
    assert counts_q2["sex"][1] == 0 and counts_q3["sex"][1] == 1  # the layout would differ if zeros were dropped
    publish(app, Q2, staff["admin"])
    publish(app, Q3, staff["admin"])
    two, three = fetch_exports(client, Q2), fetch_exports(client, Q3)

    assert skeleton(json.loads(two["json"])) == skeleton(json.loads(three["json"]))
    assert [row[:2] for row in csv_rows(two["csv"])] == [row[:2] for row in csv_rows(three["csv"])]
    assert two["csv"].count(b"\n") == three["csv"].count(b"\n")
    assert page_row_headers(two["page"]) == page_row_headers(three["page"])
    assert len(page_cells(two["page"])) == len(page_cells(three["page"]))
    for table_id in TABLE_IDS:
        a, b = svg_texts(two[f"{table_id}.svg"]), svg_texts(three[f"{table_id}.svg"])
        assert a["yticks"] == b["yticks"] and len(a["bars"]) == len(b["bars"])
    # Every cell of the full cross-product, zeros included, in the catalogue's order.
    data = json.loads(three["json"])
    assert [(t["id"], [c["category"] for c in t["cells"]]) for t in data["tables"]] == [
        (t.id, list(t.categories)) for t in CATALOGUE
    ]


# Attack 3: no raw count leaks ---------------------------------------------------------------------


def test_attack_3_noise_plus_1000_changes_every_number_and_no_raw_count_leaks(app, staff, signed_in, monkeypatch, caplog):
    """Attack 3: patch the noise to add +1000: every exported number changes (compared with the same
    data released without noise), and no raw count appears in labels, logs or error messages."""
    client, _advocate = signed_in("advocate")
    for _period, when in ((Q2, IN_Q2), (Q3, IN_Q3)):  # the same 43 people's facts in both periods
        add_people(app, staff["coordinator"], 17, when, date_of_birth=date(2004, 3, 3), sex="F", location="russia")
        add_people(app, staff["coordinator"], 26, when, date_of_birth=date(1996, 3, 3), sex="M", location="netherlands")
    raw = true_counts(app, Q3)
    assert raw == true_counts(app, Q2)
    assert raw["total"] == [43] and sorted(raw["age_band"]) == [0, 0, 0, 17, 26]

    monkeypatch.setattr(privacy, "add_noise", identity_noise)
    publish(app, Q2, staff["admin"])
    monkeypatch.setattr(privacy, "add_noise", lambda counts, epsilon: [int(c) + 1000 for c in counts])
    caplog.set_level(logging.DEBUG, logger="casework")
    caplog.set_level(logging.INFO)
    publish(app, Q3, staff["admin"])
    plain, shifted = fetch_exports(client, Q2), fetch_exports(client, Q3)

    for name, parse in (("json", json_values), ("csv", lambda b: [r[2] for r in csv_rows(b)]), ("page", page_cells)):
        before, after = parse(plain[name]), parse(shifted[name])
        assert len(before) == len(after)
        unchanged = [(i, a) for i, (a, b) in enumerate(zip(before, after, strict=True)) if a == b]
        assert not unchanged, (name, unchanged, before, after)
    for table_id in TABLE_IDS:
        before, after = svg_texts(plain[f"{table_id}.svg"])["bars"], svg_texts(shifted[f"{table_id}.svg"])["bars"]
        assert all(a != b for a, b in zip(before, after, strict=True)), (table_id, before, after)
    assert json.loads(shifted["json"])["tables"][0]["total"] == privacy.display(43 + 1000)

    # Error messages: asking again, approving again.
    admin_client, _admin = signed_in("admin")
    refusals = []
    for path, form in (("/stats/request", {"period": Q3}), (f"/stats/releases/{Q3}/approve", {})):
        response = admin_client.post(path, data={**form, "csrf_token": token(admin_client)}, follow_redirects=True)
        refusals.append(main_text(response.get_data()))
    assert "never recomputed" in refusals[0] and "never recomputed" in refusals[1]
    with app.app_context():
        messages = []
        for call in (
            lambda: operations.request_release(Q3, None),
            lambda: operations.publish(db.session.scalar(select(Release).where(Release.period == Q3)), None),
        ):
            with pytest.raises((ReleaseRefused, BudgetRefused)) as refused:
                call()
            messages.append(str(refused.value))
        db.session.rollback()

    distinctive = {n for counts in raw.values() for n in counts if n >= 10 and n % 5}
    assert {17, 26, 43} <= distinctive
    logs = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("sqlalchemy"))
    assert f"Statistics release {Q3} published" in logs  # the logs were captured
    texts = {
        "csv": shifted["csv"].decode(),
        "json": shifted["json"].decode(),
        "page": main_text(shifted["page"]),
        "refusal pages": " ".join(refusals),
        "errors": " ".join(messages),
        "logs": logs,
    }
    texts.update({f"{t}.svg": all_svg_text(shifted[f"{t}.svg"]) for t in TABLE_IDS})
    for where, text in texts.items():
        for count in distinctive:
            assert not re.search(rf"(?<![\d.,]){count}(?![\d.,])", text), (where, count)
        if where != "logs":
            assert "%" not in text, where  # no percentages


# Attack 4: the same release twice is the same, drawn once, charged once -----------------------------


def test_attack_4_same_table_twice_is_byte_identical_drawn_once_and_charged_once(app, staff, signed_in, monkeypatch):
    """Attack 4: the same table for the same period twice gives byte-identical output (CSV, JSON
    and every chart, fetched twice by each of two users), noise drawn once per table, budget
    charged once."""
    calls = []
    real_add_noise = privacy.add_noise

    def counted(counts, epsilon):
        calls.append(len(counts))
        return real_add_noise(counts, epsilon)

    monkeypatch.setattr(privacy, "add_noise", counted)
    add_people(app, staff["coordinator"], 30, IN_Q3)
    advocate_client, _ = signed_in("advocate")
    coordinator_client, _ = signed_in("coordinator")
    admin_client, _ = signed_in("admin")
    assert (
        coordinator_client.post("/stats/request", data={"period": Q3, "csrf_token": token(coordinator_client)}).status_code == 302
    )
    assert admin_client.post(f"/stats/releases/{Q3}/approve", data={"csrf_token": token(admin_client)}).status_code == 302
    assert releases(app) == {Q3: "published"}
    assert calls == [len(t.categories) for t in CATALOGUE]  # once per table
    charged = ledger_rows(app)
    assert sorted(row[1] for row in charged) == sorted(TABLE_IDS)

    downloads = [
        fetch_exports(c, Q3) for c in (advocate_client, coordinator_client, advocate_client, coordinator_client, admin_client)
    ]
    for name in downloads[0]:
        if name == "page":
            continue  # carries a per-session CSRF token in the layout; its values are compared below
        assert all(d[name] == downloads[0][name] for d in downloads), name
    assert all(page_cells(d["page"]) == page_cells(downloads[0]["page"]) for d in downloads)
    # A reader who reads Dutch gets the same JSON, and a CSV with the same values (labels translated).
    dutch_client, dutch = signed_in("advocate")
    with app.app_context():
        db.session.get(User, dutch.id).locale = "nl"
        db.session.commit()
    in_dutch = fetch_exports(dutch_client, Q3)
    assert in_dutch["json"] == downloads[0]["json"]
    assert [row[2] for row in csv_rows_any_header(in_dutch["csv"])] == [row[2] for row in csv_rows(downloads[0]["csv"])]
    # Asking again does not draw or charge again.
    admin_client.post("/stats/request", data={"period": Q3, "csrf_token": token(admin_client)})
    admin_client.post(f"/stats/releases/{Q3}/approve", data={"csrf_token": token(admin_client)})
    assert calls == [len(t.categories) for t in CATALOGUE]
    assert ledger_rows(app) == charged
    assert fetch_exports(advocate_client, Q3)["json"] == downloads[0]["json"]


# Attack 5: no deterministic seed -------------------------------------------------------------------


def test_attack_5_identical_data_gets_fresh_noise_in_each_release(app, staff):
    """Attack 5: no deterministic seed: three periods holding identical data (200 people each) get
    different noise (compared on the internal reconciled values, which display rounding does not
    hide)."""
    internals = []
    for when in (IN_Q1, IN_Q2, IN_Q3):
        add_people(app, staff["coordinator"], 200, when)
    assert true_counts(app, Q1) == true_counts(app, Q2) == true_counts(app, Q3)
    for period in (Q1, Q2, Q3):
        _data, internal = publish(app, period, staff["admin"])
        internals.append(internal)
    assert internals[0] != internals[1] and internals[1] != internals[2] and internals[0] != internals[2]
    totals = {internal["total"]["total"] for internal in internals}
    # Noise, not garbage: the total's noise is discrete Laplace with scale 1 / 0.1 = 10, so it passes
    # 150 with probability about e^-15 a release. (A bound of 50 failed about once in 50 runs.)
    assert all(50 < total < 350 for total in totals), totals


def test_attack_5_noise_differs_between_fresh_processes_and_calls():
    """Attack 5: the same counts and epsilon, asked in one process and in two fresh ones (two fresh
    apps), never give the same noise: nothing seeds the generator."""
    counts = [100] * 40
    assert privacy.add_noise(counts, 1 / 6) != privacy.add_noise(counts, 1 / 6)
    program = "from casework.stats import privacy; print(privacy.add_noise([100] * 40, 1 / 6))"
    runs = [
        subprocess.run(
            [sys.executable, "-c", program], capture_output=True, text=True, check=True, cwd=STATS_SOURCE.parent.parent
        ).stdout
        for _ in range(2)
    ]
    assert runs[0].strip() and runs[0] != runs[1]


def test_attack_5_the_statistics_code_never_seeds_or_hashes_for_noise():
    """Attack 5: noise comes from the library's secure source, never from a seed or a hash of the
    query: the statistics package does not import random, numpy's generator, hashlib or secrets,
    call a seed function or hash(), and draws noise only through OpenDP's measurement."""
    forbidden = [
        r"^\s*(import|from)\s+(random|hashlib|secrets|hmac|numpy\.random)\b",
        r"\bimport\s+numpy\b",
        r"\bseed\s*\(",
        r"\bseed\s*=",
        r"\brandom\.",
        r"\bhash\s*\(",
        r"\bhashlib\b",
        r"\bdefault_rng\b",
    ]
    for path in sorted(STATS_SOURCE.glob("*.py")):
        code = path.read_text()
        for pattern in forbidden:
            assert not re.search(pattern, code, re.MULTILINE), (path.name, pattern)
    source = (STATS_SOURCE / "privacy.py").read_text()
    assert "dp.m.make_laplace" in source


# Attack 6: the cap refuses before any data is read; the ledger is durable and concurrency-safe ------


@pytest.fixture
def count_must_not_run(monkeypatch):
    def read_data(period, *_):
        pytest.fail(f"the data of {period!r} was read: the budget should have been refused before any data is read")

    monkeypatch.setattr(operations, "first_case_rows", read_data)
    monkeypatch.setattr(operations.contributors, "plan", read_data)


def test_attack_6_spending_past_the_lifetime_cap_fails_before_data_is_read(app, staff, count_must_not_run):
    """Attack 6: spending past the cap fails before data is read: with a lifetime cap below a
    period's spending, publishing is refused, no table is counted, nothing is charged or published."""
    app.config["CASEWORK_EPSILON_LIFETIME"] = 0.5
    add_people(app, staff["coordinator"], 3, IN_Q3)
    with app.app_context():
        admin = db.session.get(User, staff["admin"].id)
        release = operations.request_release(Q3, None)
        db.session.commit()
        with pytest.raises(BudgetRefused):
            operations.publish(release, admin)
        db.session.commit()
    assert ledger_rows(app) == []
    assert releases(app) == {Q3: "requested"}


def test_attack_6_spending_past_the_period_cap_fails_before_data_is_read(app, staff, count_must_not_run, signed_in):
    """Attack 6: with part of the period's budget already spent, the approval is refused before any
    table is counted, through the web too; nothing more is charged."""
    add_people(app, staff["coordinator"], 3, IN_Q3)
    with app.app_context():
        db.session.add(LedgerEntry(period=Q3, table_id="open_at_end", epsilon=0.5))
        db.session.commit()
    admin_client, _admin = signed_in("admin")
    requester, _requester = signed_in("coordinator")
    requester.post("/stats/request", data={"period": Q3, "csrf_token": token(requester)})
    response = admin_client.post(f"/stats/releases/{Q3}/approve", data={"csrf_token": token(admin_client)}, follow_redirects=True)
    assert "privacy budget of the period" in html.unescape(response.get_data(as_text=True))
    assert ledger_rows(app) == [(Q3, "open_at_end", 0.5)]
    assert releases(app) == {Q3: "requested"}


def test_attack_6_a_tiny_period_cap_is_never_overspent(app, staff):
    """Attack 6: with a tiny period cap (0.1) the release spends no more than the cap: the period's
    budget is shared by the tables, each charged at most the per-table cap."""
    app.config["CASEWORK_EPSILON_PERIOD"] = 0.1
    add_people(app, staff["coordinator"], 3, IN_Q3)
    data, _internal = publish(app, Q3, staff["admin"])
    with app.app_context():
        assert ledger.spent_in(Q3) <= 0.1 + 1e-9
        assert ledger.spent_over_lifetime() <= 0.1 + 1e-9
    assert all(epsilon <= 0.1 / len(CATALOGUE) + 1e-9 for _p, _t, epsilon in ledger_rows(app))
    assert data["epsilon_for_the_period"] <= 0.1 + 1e-6


def test_attack_6_the_ledger_survives_a_restart(app, staff, settings, count_must_not_run):
    """Attack 6: the ledger survives a restart: a new app on the same database sees the budget spent
    and refuses to publish or reserve the same period again, before reading any data."""
    add_people(app, staff["coordinator"], 3, IN_Q3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(operations, "first_case_rows", lambda period: [])
        patch.setattr(operations.contributors, "plan", lambda period, *_: operations.contributors.Plan(period))
        publish(app, Q3, staff["admin"])
    before = ledger_rows(app)
    restarted = create_app(settings)
    try:
        with restarted.app_context():
            assert ledger.spent_in(Q3) == pytest.approx(sum(epsilon for _p, _t, epsilon in before))
            assert ledger.spent_over_lifetime() == pytest.approx(ledger.spent_in(Q3))
            with pytest.raises(ReleaseRefused):
                operations.request_release(Q3, None)
            with pytest.raises(ReleaseRefused):
                operations.publish(db.session.scalar(select(Release).where(Release.period == Q3)), None)
            with pytest.raises(BudgetRefused):
                ledger.reserve(Q3, {"age_band": 0.1})
            with pytest.raises(BudgetRefused):
                ledger.reserve(Q3, {"a_table": 0.15, "another_table": 0.15, "a_third_table": 0.15})  # 0.45 more than the 0.4 left
            db.session.rollback()
    finally:
        with restarted.app_context():
            db.session.remove()
            db.engine.dispose()
    assert ledger_rows(app) == before


def test_attack_6_the_same_period_cannot_be_published_twice(app, staff):
    """Attack 6: a period has one release (a unique row): publishing or requesting it again is
    refused, and a second release row for the period cannot be stored."""
    add_people(app, staff["coordinator"], 2, IN_Q3)
    publish(app, Q3, staff["admin"])
    with app.app_context():
        with pytest.raises(ReleaseRefused):
            operations.request_release(Q3, None)
        with pytest.raises(ReleaseRefused):
            operations.publish(db.session.scalar(select(Release).where(Release.period == Q3)), None)
        db.session.rollback()
        db.session.add(Release(period=Q3))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        db.session.add(LedgerEntry(period=Q3, table_id="total", epsilon=0.01))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_attack_6_two_concurrent_reservations_cannot_both_spend(app, monkeypatch):
    """Attack 6: two concurrent releases cannot overspend: two sessions (threads with their own app
    contexts) that have both checked the ledger before either wrote race to reserve the same
    period's tables; exactly one succeeds, the other fails (integrity error, lock or refusal)."""
    epsilon = epsilon_per_measurement(app)
    costs = {table.id: privacy.privacy_cost(epsilon) for table in CATALOGUE}
    barrier = threading.Barrier(2, timeout=30)
    real_spent_in = ledger.spent_in
    arrived = set()

    def spent_in_after_both_checked(period):
        me = threading.get_ident()
        if me not in arrived:  # both have looked for earlier entries of these tables, found none
            arrived.add(me)
            barrier.wait()
        return real_spent_in(period)

    monkeypatch.setattr(ledger, "spent_in", spent_in_after_both_checked)
    outcomes = {}

    def attempt(name):
        with app.app_context():
            try:
                ledger.reserve(Q3, costs)
                db.session.commit()
                outcomes[name] = "reserved"
            except (BudgetRefused, IntegrityError, OperationalError) as error:
                db.session.rollback()
                outcomes[name] = type(error).__name__
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(outcomes) == 2, outcomes
    assert len(arrived) == 2  # both had checked the ledger before either wrote
    assert sorted(outcomes.values()).count("reserved") == 1, outcomes
    monkeypatch.setattr(ledger, "spent_in", real_spent_in)
    with app.app_context():
        assert ledger.spent_in(Q3) == pytest.approx(sum(costs.values()))
        assert ledger.spent_in(Q3) <= app.config["CASEWORK_EPSILON_PERIOD"] + 1e-9
    assert len(ledger_rows(app)) == len(CATALOGUE)


# Attack 7: one ledger for everyone ----------------------------------------------------------------


def test_attack_7_releases_requested_by_two_advocates_charge_the_same_ledger(app, staff, signed_in):
    """Attack 7: releases requested by two advocates charge the same ledger: both releases are in
    one ledger without any per-person column, and once one advocate's release has spent a period's
    budget, the other advocate can get nothing more for that period."""
    add_people(app, staff["coordinator"], 5, IN_Q2)
    add_people(app, staff["coordinator"], 5, IN_Q3)
    first, first_user = signed_in("advocate")
    second, second_user = signed_in("advocate")
    admin_client, _admin = signed_in("admin")
    first.post("/stats/request", data={"period": Q3, "csrf_token": token(first)})
    second.post("/stats/request", data={"period": Q2, "csrf_token": token(second)})
    for period in (Q3, Q2):
        admin_client.post(f"/stats/releases/{period}/approve", data={"csrf_token": token(admin_client)})
    assert releases(app) == {Q2: "published", Q3: "published"}

    per_period = len(CATALOGUE) * privacy.privacy_cost(epsilon_per_measurement(app))
    with app.app_context():
        requested_by = dict(db.session.execute(select(Release.period, Release.requested_by_id)).all())
        assert requested_by == {Q3: first_user.id, Q2: second_user.id}
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 2 * len(CATALOGUE)
        assert ledger.spent_in(Q2) == pytest.approx(per_period) and ledger.spent_in(Q3) == pytest.approx(per_period)
        assert ledger.spent_over_lifetime() == pytest.approx(per_period)
        columns = {column["name"] for column in inspect(db.engine).get_columns("privacy_ledger")}
        assert not {c for c in columns if "user" in c or "by" in c or "actor" in c}, columns

    # The second advocate cannot spend more on the first advocate's period, by any route.
    response = second.post("/stats/request", data={"period": Q3, "csrf_token": token(second)}, follow_redirects=True)
    assert "never recomputed" in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        with pytest.raises(BudgetRefused):
            ledger.reserve(Q3, {"a_table": 0.15, "another_table": 0.15, "a_third_table": 0.15})
        db.session.rollback()
    assert len(ledger_rows(app)) == 2 * len(CATALOGUE)


# Attack 8: overlapping tables add up -------------------------------------------------------------


def test_attack_8_overlapping_tables_are_charged_the_sum_of_their_costs(app, staff):
    """Attack 8: the tables of one period count the same people, so the period is charged the sum
    of their costs; disjoint periods compose in parallel (the lifetime is the most expensive
    period); entries marked overlapping add to the lifetime."""
    add_people(app, staff["coordinator"], 4, IN_Q3)
    data, _internal = publish(app, Q3, staff["admin"])
    rows = ledger_rows(app)
    epsilon = epsilon_per_measurement(app)
    assert len(rows) == len(CATALOGUE) and all(cost == pytest.approx(epsilon) for _p, _t, cost in rows)
    assert privacy.privacy_cost(epsilon) == pytest.approx(epsilon)
    with app.app_context():
        assert ledger.spent_in(Q3) == pytest.approx(sum(cost for _p, _t, cost in rows))
        assert data["epsilon_for_the_period"] == pytest.approx(ledger.spent_in(Q3), abs=1e-6)

        db.session.add_all(
            [
                LedgerEntry(period=Q1, table_id="a", epsilon=0.3),
                LedgerEntry(period=Q1, table_id="b", epsilon=0.2),
                LedgerEntry(period=Q2, table_id="a", epsilon=0.4),
            ]
        )
        db.session.flush()
        assert ledger.spent_in(Q1) == pytest.approx(0.5)
        assert ledger.spent_in(Q2) == pytest.approx(0.4)
        assert ledger.spent_over_lifetime() == pytest.approx(ledger.spent_in(Q3))  # the max over periods
        db.session.add(LedgerEntry(period=Q2, table_id="open_at_end", epsilon=0.25, overlapping=True))
        db.session.add(LedgerEntry(period=Q1, table_id="open_at_end", epsilon=0.15, overlapping=True))
        db.session.flush()
        assert ledger.spent_in(Q2) == pytest.approx(0.65)
        assert ledger.spent_over_lifetime() == pytest.approx(0.4 + ledger.spent_in(Q3))
        db.session.rollback()


def test_attack_8_overlapping_spending_in_other_periods_counts_against_the_lifetime_cap(app, staff, monkeypatch):
    """Attack 8: overlapping tables are charged the sum of their costs against the lifetime cap:
    with 2.5 of the 3.0 lifetime already spent on overlapping tables of 2026Q1, a new period
    costing 1.0 would bring the lifetime to 3.5 and must be refused before any data is read."""
    add_people(app, staff["coordinator"], 3, IN_Q3)
    counted = []
    monkeypatch.setattr(
        operations,
        "first_case_rows",
        lambda period: counted.append(period) or [],
    )
    with app.app_context():
        db.session.add_all(
            [
                LedgerEntry(period=Q1, table_id="open_at_end", epsilon=1.5, overlapping=True),
                LedgerEntry(period=Q1, table_id="open_by_sex", epsilon=1.0, overlapping=True),
            ]
        )
        db.session.commit()
        assert ledger.spent_over_lifetime() == pytest.approx(2.5)
        release = operations.request_release(Q3, None)
        db.session.commit()
        cap = app.config["CASEWORK_EPSILON_LIFETIME"]
        try:
            operations.publish(release, None)
        except BudgetRefused:
            refused = True
        else:
            refused = False
        lifetime_after = ledger.spent_over_lifetime()
        db.session.rollback()
    assert refused, (
        f"publishing was allowed although the lifetime spending becomes {lifetime_after:.3f} > cap {cap} "
        f"(and {len(counted)} periods were counted)"
    )
    assert counted == []


# Attack 9: only the catalogue ---------------------------------------------------------------------


def test_attack_9_unknown_dimensions_filters_and_crosses_are_refused_with_400(app, staff, signed_in):
    """Attack 9: unknown dimensions, filters and non-catalogue crosses are refused with 400, on the
    release page, every export and the charts; unknown tables in chart URLs too."""
    add_people(app, staff["coordinator"], 2, IN_Q3)
    publish(app, Q3, staff["admin"])
    client, _advocate = signed_in("advocate")
    pages = [
        "/stats/",
        f"/stats/releases/{Q3}",
        f"/stats/releases/{Q3}.csv",
        f"/stats/releases/{Q3}.json",
        f"/stats/releases/{Q3}/age_band.svg",
    ]
    queries = [
        "dimension=place",
        "filter=sex:M",
        "by=age_band&cross=sex",
        "sex=M",
        "period=2026-08",
        "table=age_band,sex",
        "location=netherlands",
        "lang=en&dimension=military",
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page
        for query in queries:
            assert client.get(f"{page}?{query}").status_code == 400, (page, query)
    for table_id in (
        "place",
        "age_band_sex",
        "age_band-sex",
        "age_band,sex",
        "age_band+sex",
        "military",
        "dates",
        "TOTAL",
        "free_text",
    ):
        assert client.get(f"/stats/releases/{Q3}/{table_id}.svg").status_code == 400, table_id
    assert client.get(f"/stats/releases/{Q3}/age_band/sex.svg").status_code == 404
    assert client.get(f"/stats/releases/{Q3}?lang=nl").status_code == 200


# Attack 10: frozen releases, never recomputed ------------------------------------------------------


def test_attack_10_editing_or_erasing_after_a_release_does_not_change_it(app, staff, signed_in, runner):
    """Attack 10: editing a case's facts or erasing a person after a release does not change the
    release (every export byte-identical), and recomputing the period is refused: publish again,
    request again, approve again, and the command line."""
    made = add_people(app, staff["coordinator"], 14, IN_Q3)
    _data, internal = publish(app, Q3, staff["admin"])
    client, _advocate = signed_in("advocate")
    before = fetch_exports(client, Q3)
    counts_before = counts_of(app, Q3, {person for _case, person in made})
    rows_before = ledger_rows(app)

    with app.app_context():
        actor = db.session.get(User, staff["coordinator"].id)
        for case_id, _person_id in made[:5]:
            case = db.session.get(Case, case_id)
            case_operations.update_case(
                case, {"location": "russia", "sex": "F", "date_of_birth": date(1960, 1, 1)}, case.version, actor
            )
        case_operations.erase(db.session.get(Case, made[5][0]), actor)
        db.session.commit()
    assert counts_of(app, Q3, {person for _case, person in made}) != counts_before  # the live data did change

    after = fetch_exports(client, Q3)
    for name in before:
        if name != "page":
            assert after[name] == before[name], name
    assert main_text(after["page"], "<h1>") == main_text(before["page"], "<h1>")  # after any flashed message
    with app.app_context():
        release = db.session.scalar(select(Release).where(Release.period == Q3))
        assert json.loads(release.internal) == internal
        admin = db.session.get(User, staff["admin"].id)
        with pytest.raises(ReleaseRefused):
            operations.publish(release, admin)
        with pytest.raises(ReleaseRefused):
            operations.request_release(Q3, admin)
        db.session.rollback()

    admin_client, _admin = signed_in("admin")
    response = admin_client.post(f"/stats/releases/{Q3}/approve", data={"csrf_token": token(admin_client)}, follow_redirects=True)
    assert "never recomputed" in html.unescape(response.get_data(as_text=True))
    response = admin_client.post("/stats/request", data={"period": Q3, "csrf_token": token(admin_client)}, follow_redirects=True)
    assert "never recomputed" in html.unescape(response.get_data(as_text=True))
    result = runner.invoke(args=["stats", "release", "--period", Q3])
    assert result.exit_code != 0 and "never recomputed" in result.output
    result = runner.invoke(args=["stats", "release", "--period", Q3, "--if-missing"])
    assert result.exit_code == 0 and "released already" in result.output
    assert ledger_rows(app) == rows_before
    assert fetch_exports(client, Q3)["json"] == before["json"]


@pytest.mark.parametrize("alias", ["２０２６Q3", "2026Q３", "٢٠٢٦Q3", "२०२६Q3"])
def test_attack_10_a_period_cannot_be_recomputed_under_another_spelling(app, staff, signed_in, alias):
    """Attack 10: recomputing a period is refused, however the period is spelt. period_bounds reads
    the year and quarter with int(), which accepts any Unicode digits, so "２０２６Q3" (full-width)
    names the same population as 2026Q3 but is another Release.period and another ledger period:
    the same people would get a second, independent noisy release and a fresh budget."""
    add_people(app, staff["coordinator"], 3, IN_Q3)
    publish(app, Q3, staff["admin"])
    with app.app_context():
        assert period_bounds(Q3) == (date(2026, 7, 1), date(2026, 10, 1))
        try:
            second = operations.request_release(alias, None)
        except ReleaseRefused:
            second = None
        else:  # show what the refusal prevents: the same people released again, on a fresh budget
            operations.publish(second, None)
            db.session.commit()
            same_people = count_period(alias)["total"] == count_period(Q3)["total"]
            spent = (ledger.spent_in(Q3), ledger.spent_in(alias))
        db.session.rollback()
    assert second is None, (
        f"{alias!r} was accepted and published: same population as {Q3}: {same_people}; "
        f"epsilon spent on these people: {spent[0]:.3f} under {Q3!r} and again {spent[1]:.3f} under {alias!r}"
    )
    admin_client, _admin = signed_in("admin")
    admin_client.post("/stats/request", data={"period": alias, "csrf_token": token(admin_client)})
    assert set(releases(app)) == {Q3}, releases(app)
    assert {period for period, _t, _e in ledger_rows(app)} == {Q3}


# Attack 11: one person, counted once ---------------------------------------------------------------


def test_attack_11_a_person_with_three_cases_is_counted_once(app, staff, monkeypatch):
    """Attack 11: a person with three cases is counted once in every table, in the period of their
    first intake, with the facts of their first case."""
    ((_case, person),) = add_people(app, staff["coordinator"], 1, IN_Q3, location="russia", date_of_birth=date(2000, 1, 1))
    add_case_for(app, staff["coordinator"], person, datetime(2026, 8, 20), location="netherlands")
    add_case_for(app, staff["coordinator"], person, datetime(2026, 9, 2), location="schengen")
    counts = true_counts(app, Q3)
    assert counts["total"] == [1]
    assert all(sum(cells) == 1 for cells in counts.values()), counts
    assert counts["situation"] == [1, 0, 0, 0, 0]  # russia, from the first case
    assert counts["age_band"] == [0, 1, 0, 0, 0]  # 26 at the first intake: 25-34

    # Another person, first seen in 2026Q2, back twice in 2026Q3: counted in 2026Q2 only.
    ((_case, other),) = add_people(app, staff["coordinator"], 1, IN_Q2)
    add_case_for(app, staff["coordinator"], other, datetime(2026, 7, 3))
    add_case_for(app, staff["coordinator"], other, datetime(2026, 9, 9))
    assert true_counts(app, Q3)["total"] == [1]
    assert true_counts(app, Q2)["total"] == [1]

    monkeypatch.setattr(privacy, "add_noise", identity_noise)
    _data, internal = publish(app, Q3, staff["admin"])
    assert internal["total"]["total"] == 1
    assert all(sum(table["reconciled"]) == 1 for table in internal.values())


def test_attack_11_people_count_in_the_quarter_of_their_first_intake(app, staff):
    """Attack 11 (the privacy unit's period): each person counts in exactly one quarter, that of
    their first intake, including at the quarters' very edges, so periods hold disjoint people."""
    edges = {
        datetime(2026, 6, 30, 23, 59, 59, 999999): Q2,
        datetime(2026, 7, 1, 0, 0, 0): Q3,
        datetime(2026, 9, 30, 23, 59, 59, 999999): Q3,
        datetime(2026, 10, 1, 0, 0, 0): "2026Q4",
    }
    for when in edges:
        add_people(app, staff["coordinator"], 1, when)
    totals = {period: true_counts(app, period)["total"][0] for period in (Q2, Q3, "2026Q4")}
    assert totals == {Q2: 1, Q3: 2, "2026Q4": 1}


# Attack 12: reconciled cells add up -----------------------------------------------------------------


def test_attack_12_reconciled_cells_are_non_negative_integers_adding_up_to_the_total(app, staff):
    """Attack 12: in a real release, every table's reconciled cells are non-negative integers that
    add up to the published total."""
    add_people(app, staff["coordinator"], 9, IN_Q3)
    add_people(app, staff["coordinator"], 6, IN_Q3, sex="F", location="russia", date_of_birth=date(1975, 5, 5))
    add_people(app, staff["coordinator"], 4, IN_Q3, sex=None, location=None, date_of_birth=None)
    data, internal = publish(app, Q3, staff["admin"])
    total = internal["total"]["total"]
    assert isinstance(total, int) and total >= 0
    assert set(internal) == set(TABLE_IDS)
    for table in CATALOGUE:
        reconciled = internal[table.id]["reconciled"]
        assert len(reconciled) == len(table.categories)
        assert all(isinstance(v, int) and v >= 0 for v in reconciled), (table.id, reconciled)
        assert sum(reconciled) == total == internal[table.id]["total"], (table.id, reconciled, total)
        published = next(t for t in data["tables"] if t["id"] == table.id)
        assert [c["value"] for c in published["cells"]] == [privacy.display(v) for v in reconciled]
        assert published["total"] == privacy.display(total)


@settings(max_examples=2000, deadline=None)
@given(cells=st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=8), total=st.integers(-(10**6), 10**6))
def test_attack_12_reconcile_property(cells, total):
    """Attack 12, over many random noisy vectors: reconcile gives non-negative integers, one per
    cell, adding up to the clamped total, each the floor or ceiling of the least-squares projection."""
    out = privacy.reconcile(cells, total)
    assert len(out) == len(cells)
    assert all(isinstance(v, int) and v >= 0 for v in out)
    assert sum(out) == max(total, 0)
    projected = privacy.project_to_total([float(c) for c in cells], float(max(total, 0)))
    assert all(abs(v - p) < 1 + 1e-6 for v, p in zip(out, projected, strict=True))


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(st.integers(0, 10**4), min_size=1, max_size=8))
def test_attack_12_reconcile_keeps_consistent_vectors(cells):
    """Attack 12: cells that are already non-negative and add up to the total are kept as they are."""
    assert privacy.reconcile(cells, sum(cells)) == cells


def test_attack_12_reconcile_on_sampled_noise():
    """Attack 12, on the real mechanism: many noisy vectors of a table reconciled to a noisy total."""
    epsilon = 1 / 6
    for true_cells in ([0, 0, 0, 0, 1], [3, 0, 12, 40, 2], [200, 0, 0, 0]):
        for _ in range(300):
            noisy_total = privacy.add_noise([sum(true_cells)], epsilon)[0]
            out = privacy.reconcile(privacy.add_noise(true_cells, epsilon), noisy_total)
            assert all(v >= 0 for v in out) and sum(out) == max(noisy_total, 0)


# Attack 14: no record ids, no finer times -----------------------------------------------------------


def test_attack_14_exports_carry_no_record_ids_and_no_timestamps_finer_than_the_release_date(app, staff, signed_in):
    """Attack 14: exports carry no record ids (no UUIDs, no case or person ids, no release or user
    ids) and no timestamps finer than the release date (no clock times, no ISO date-times)."""
    made = add_people(app, staff["coordinator"], 12, IN_Q3)
    publish(app, Q3, staff["admin"])
    client, advocate = signed_in("advocate")
    exports = fetch_exports(client, Q3)
    with app.app_context():
        release = db.session.scalar(select(Release).where(Release.period == Q3))
        released_on = release.released_on.isoformat()
        requested_at = release.requested_at
    ids = [i for pair in made for i in pair]
    texts = {name: body.decode("utf-8") for name, body in exports.items() if name != "page"}
    texts["page"] = main_text(exports["page"])
    for name, text in texts.items():
        assert not UUID.search(text), (name, UUID.search(text))
        assert not re.search(r"\b[0-9a-f]{32}\b", text), name
        assert not any(i in text or i.replace("-", "") in text for i in ids), name
        assert not CLOCK_TIME.search(text), (name, CLOCK_TIME.search(text))
        assert not ISO_DATETIME.search(text), (name, ISO_DATETIME.search(text))
        assert requested_at.isoformat()[:16] not in text and advocate.email not in text, name
        assert "dc:date" not in text, name
    for name in ("csv", "json"):
        dates = set(re.findall(r"\d{4}-\d{2}-\d{2}", texts[name]))
        assert dates == {released_on}, (name, dates)
    data = json.loads(exports["json"])
    assert set(data) == {
        "period",
        "released_on",
        "epsilon_for_the_period",
        "epsilon_of_a_table",
        "display_rule",
        "privacy_unit",
        "tables",
    }
    assert all(set(table) - {"epsilon_of_the_total"} == {"id", "epsilon", "cells", "total"} for table in data["tables"])
    assert all(set(cell) == {"category", "value"} for table in data["tables"] for cell in table["cells"])
    # Each export says epsilon, the display rule and the release date (point 9).
    for name in ("csv", "json", "page"):
        assert "epsilon" in texts[name].lower() and "10" in texts[name], name
    assert released_on in texts["csv"] and data["released_on"] == released_on


# Who may see, request and approve ------------------------------------------------------------------


def stats_urls(app) -> list[tuple[str, str]]:
    """Every statistics URL, from the URL map, with each of its methods."""
    from flask import url_for

    values = {"period": Q3, "table_id": "age_band"}
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("stats."):
                url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
                found += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_roles_volunteers_get_404_on_every_statistics_url(app, staff, signed_in):
    """Only advocates, coordinators and admins see releases: a volunteer gets 404 on every "stats."
    URL of the URL map, GET and POST (with a valid CSRF token), and changes nothing."""
    add_people(app, staff["coordinator"], 2, IN_Q3)
    publish(app, Q3, staff["admin"])
    urls = stats_urls(app)
    assert len(urls) >= 7 and {method for method, _ in urls} == {"GET", "POST"}
    client, _volunteer = signed_in("volunteer")
    csrf = token(client, "/")
    with app.app_context():
        db.session.add(Release(period=Q2))
        db.session.commit()
    for method, url in urls + [("GET", f"/stats/releases/{Q2}"), ("POST", f"/stats/releases/{Q2}/approve")]:
        response = client.open(url, method=method, data={"csrf_token": csrf, "period": Q1} if method == "POST" else None)
        assert response.status_code == 404, (method, url, response.status_code)
        assert b"<10" not in response.get_data()
    assert releases(app) == {Q3: "published", Q2: "requested"}
    assert {period for period, _t, _e in ledger_rows(app)} == {Q3}
    home = client.get("/").get_data(as_text=True)
    assert "/stats/" not in home

    anonymous = app.test_client()
    for method, url in urls:
        response = anonymous.open(url, method=method)
        assert response.status_code in {302, 400, 401}, (method, url, response.status_code)
        assert b"<10" not in response.get_data()

    for role in ("advocate", "coordinator", "admin"):
        reader, _user = signed_in(role)
        assert reader.get("/stats/").status_code == 200, role
        assert reader.get(f"/stats/releases/{Q3}.json").status_code == 200, role


@pytest.mark.parametrize("role", ["advocate", "coordinator"])
def test_roles_only_admins_approve(app, staff, signed_in, role, count_must_not_run):
    """Only admins approve: an advocate's or a coordinator's approval is 404 (with a valid CSRF
    token), nothing is counted, charged or published; they may request."""
    add_people(app, staff["coordinator"], 2, IN_Q3)
    client, _user = signed_in(role)
    assert client.post("/stats/request", data={"period": Q3, "csrf_token": token(client)}).status_code == 302
    assert releases(app) == {Q3: "requested"}
    page = client.get("/stats/").get_data(as_text=True)
    assert f"/stats/releases/{Q3}/approve" not in page
    response = client.post(f"/stats/releases/{Q3}/approve", data={"csrf_token": token(client)})
    assert response.status_code == 404
    assert releases(app) == {Q3: "requested"}
    assert ledger_rows(app) == []
    assert client.get(f"/stats/releases/{Q3}.json").status_code == 404


def test_roles_admin_approval_publishes(app, staff, signed_in):
    """An admin's approval of a requested period publishes it."""
    add_people(app, staff["coordinator"], 2, IN_Q3)
    advocate_client, _advocate = signed_in("advocate")
    advocate_client.post("/stats/request", data={"period": Q3, "csrf_token": token(advocate_client)})
    admin_client, _admin = signed_in("admin")
    page = admin_client.get("/stats/").get_data(as_text=True)
    assert f"/stats/releases/{Q3}/approve" in page
    assert admin_client.post(f"/stats/releases/{Q3}/approve", data={"csrf_token": token(admin_client)}).status_code == 302
    assert releases(app) == {Q3: "published"}
    assert advocate_client.get(f"/stats/releases/{Q3}.csv").status_code == 200


def test_roles_a_period_that_has_not_ended_cannot_be_requested(app, staff, signed_in):
    """A period that has not ended (the current quarter, a future one) cannot be requested, nor a
    malformed one; the page offers only quarters that have ended."""
    today = clock.today()
    current = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    future = f"{today.year + 1}Q1"
    with app.app_context():
        for period in (current, future, "2026Q5", "2026Q0", "2026-3", "2026q3", "Q3", "", "2026Q3x"):
            with pytest.raises(ReleaseRefused):
                operations.request_release(period, None)
            db.session.rollback()
        assert current not in operations.closed_periods() and Q3 in operations.closed_periods()
    client, _advocate = signed_in("advocate")
    page = client.get("/stats/").get_data(as_text=True)
    assert f'<option value="{current}">' not in page and f'<option value="{Q3}">' in page
    for period in (current, future):
        response = client.post("/stats/request", data={"period": period, "csrf_token": token(client)}, follow_redirects=True)
        assert "has ended" in html.unescape(response.get_data(as_text=True))
    assert releases(app) == {}
    client.post("/stats/request", data={"period": Q3, "csrf_token": token(client)})
    assert releases(app) == {Q3: "requested"}
