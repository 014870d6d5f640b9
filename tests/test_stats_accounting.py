"""Honest accounting: a table reconciled to the noisy total rests on two noisy measurements, so its
cost is its own epsilon plus the total's. That true cost is what the ledger charges, what every
export and page prints (one spelling, through Babel), and what the per-table cap limits.
"""

import csv
import io
import json
import re

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.models import LedgerEntry, Release, User
from casework.stats import exports, ledger, operations
from casework.stats.catalogue import CATALOGUE
from tests.test_stats import IN_Q3, Q3, add_people, csv_rows, fetch_exports, main_text, publish

#: An epsilon as printed anywhere: 0.2, 0,2, 0.016 ... never six decimals.
PRINTED_EPSILON = re.compile(r"(?<![\d.,])0[.,]\d+")


@pytest.fixture
def staff(make_user):
    return {"admin": make_user("admin"), "coordinator": make_user("coordinator")}


def ledger_costs(app) -> dict[str, tuple[float, float]]:
    with app.app_context():
        return {
            row.table_id: (row.epsilon, row.borrowed)
            for row in db.session.scalars(select(LedgerEntry).where(LedgerEntry.period == Q3))
        }


def test_each_table_is_charged_and_printed_with_the_totals_epsilon_included(app, staff, signed_in, runner):
    add_people(app, staff["coordinator"], 20, IN_Q3)
    data, _internal = publish(app, Q3, staff["admin"])
    costs = ledger_costs(app)
    assert costs["total"] == (pytest.approx(0.1), 0.0)
    for table in CATALOGUE:
        own, borrowed = costs[table.id]
        published = next(t for t in data["tables"] if t["id"] == table.id)
        assert published["epsilon"] == pytest.approx(own + borrowed)
        if table.id != "total":
            assert borrowed == pytest.approx(costs["total"][0]) == published["epsilon_of_the_total"]
            assert own + borrowed == pytest.approx(app.config["CASEWORK_EPSILON_TABLE"])  # 0.2: within the cap, no more
    with app.app_context():
        assert ledger.spent_in(Q3) == pytest.approx(0.6) == data["epsilon_for_the_period"]  # each noise paid once

    client, _advocate = signed_in("advocate")
    fetched = fetch_exports(client, Q3)
    header = [row[0] for row in csv.reader(io.StringIO(fetched["csv"].decode())) if row and row[0].startswith("#")]
    page = main_text(fetched["page"])
    for text in ("\n".join(header), page):
        assert "0.6" in text
        assert text.count("0.2, of which 0.1 is the total's") == len(CATALOGUE) - 1, text
        assert sorted(set(PRINTED_EPSILON.findall(text))) == ["0.1", "0.2", "0.6"], text
    assert csv_rows(fetched["csv"])  # the data rows follow the header as before

    listed = runner.invoke(args=["stats", "ledger"])
    assert listed.exit_code == 0
    assert listed.output.count("epsilon 0.2 (0.1 its own, 0.1 the total's)") == len(CATALOGUE) - 1
    assert f"{Q3}\tspent epsilon 0.6" in listed.output


def test_a_dutch_reader_gets_the_same_epsilons_in_dutch_spelling(app, staff, signed_in):
    add_people(app, staff["coordinator"], 5, IN_Q3)
    publish(app, Q3, staff["admin"])
    client, reader = signed_in("advocate")
    with app.app_context():
        db.session.get(User, reader.id).locale = "nl"
        db.session.commit()
    page = main_text(fetch_exports(client, Q3)["page"])
    assert sorted(set(PRINTED_EPSILON.findall(page))) == ["0,1", "0,2", "0,6"], page
    index = main_text(client.get("/stats/").get_data())
    assert set(PRINTED_EPSILON.findall(index)) <= {"0,2", "0,6"} and "0,2" in index, index


@pytest.mark.parametrize(("table_cap", "period_cap"), [(0.2, 1.0), (0.1, 10.0), (0.5, 0.3), (0.05, 1.0), (1.0, 1.0)])
def test_the_table_cap_holds_for_the_true_cost_whatever_the_caps(app, staff, table_cap, period_cap):
    app.config.update(CASEWORK_EPSILON_TABLE=table_cap, CASEWORK_EPSILON_PERIOD=period_cap, CASEWORK_EPSILON_LIFETIME=10.0)
    add_people(app, staff["coordinator"], 3, IN_Q3)
    data, _internal = publish(app, Q3, staff["admin"])
    for table_id, (own, borrowed) in ledger_costs(app).items():
        assert own + borrowed <= table_cap + 1e-9, (table_id, own, borrowed)
    with app.app_context():
        assert ledger.spent_in(Q3) <= period_cap + 1e-9
    printed = [table["epsilon"] for table in data["tables"]] + [data["epsilon_for_the_period"]]
    assert all(value == round(value, 3) for value in printed), printed  # what is printed is what was spent


def test_a_table_whose_borrowed_epsilon_would_pass_the_cap_is_refused(app):
    with app.app_context():
        with pytest.raises(ledger.BudgetRefused):
            ledger.reserve(Q3, {"total": 0.1, "sex": 0.15}, borrowed={"sex": 0.1})
        ledger.reserve(Q3, {"total": 0.1, "sex": 0.1}, borrowed={"sex": 0.1})
        assert ledger.spent_in(Q3) == pytest.approx(0.2)
        db.session.rollback()


def test_a_release_published_with_one_epsilon_for_every_table_is_read_with_its_true_costs(app, staff, signed_in):
    """A release made before tables carried their own epsilon stated 1/6 for each: its page and CSV
    now state the true cost (twice that for a reconciled table); its JSON stays as published."""
    add_people(app, staff["coordinator"], 5, IN_Q3)
    publish(app, Q3, staff["admin"])
    with app.app_context():
        release = db.session.scalar(select(Release).where(Release.period == Q3))
        old = json.loads(release.content)
        old["epsilon_per_table"] = 0.166667
        old["epsilon_for_the_period"] = 1.0
        for table in old["tables"]:
            table.pop("epsilon"), table.pop("epsilon_of_the_total", None)
        release.content = json.dumps(old)
        db.session.commit()
        read = exports.release_data(release)
    assert {table["id"]: table["epsilon"] for table in read["tables"]} == {
        table.id: (0.166667 if table.id == "total" else 0.333334) for table in CATALOGUE
    }
    client, _advocate = signed_in("advocate")
    page = main_text(fetch_exports(client, Q3)["page"])
    assert "0.333, of which 0.167 is the total's" in page and "0.166667" not in page


def test_each_measurement_is_chosen_in_thousandths(app):
    app.config.update(CASEWORK_EPSILON_TABLE=0.2, CASEWORK_EPSILON_PERIOD=0.1)
    with app.app_context():
        assert operations.epsilon_per_measurement() == 0.016  # 0.1 / 6 rounded down
