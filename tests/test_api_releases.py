"""GET /api/v1/releases: published releases only, with the figures the statistics pages show."""

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.models import Release
from casework.stats import operations as stats
from tests.api_fixtures import bearer


@pytest.fixture
def periods(app, make_user, create_case):
    """One published release and one only requested: (published, requested)."""
    create_case(by=make_user("coordinator"))
    with app.app_context():
        published, requested = stats.closed_periods()[:2]
        stats.publish(stats.request_release(published, None), None)
        stats.request_release(requested, None)
        db.session.commit()
    return published, requested


@pytest.fixture
def secret(make_token):
    return make_token("statistics")[1]


def test_only_published_releases_are_listed(client, periods, secret):
    published, requested = periods
    listed = client.get("/api/v1/releases", headers=bearer(secret)).json["releases"]
    assert [release["id"] for release in listed] == [published]
    assert client.get(f"/api/v1/releases/{requested}", headers=bearer(secret)).status_code == 404
    assert client.get("/api/v1/releases/1999Q1", headers=bearer(secret)).status_code == 404


def test_a_release_has_the_figures_of_its_page(app, client, periods, secret, signed_in):
    published, _requested = periods
    release = client.get(f"/api/v1/releases/{published}", headers=bearer(secret)).json
    with app.app_context():
        frozen = db.session.scalar(select(Release).where(Release.period == published))
        assert release["released_on"] == frozen.released_on.isoformat()
    values = [cell["value"] for table in release["tables"] for cell in table["cells"]] + [t["total"] for t in release["tables"]]
    assert values and all(value == "<10" or (int(value) >= 10 and int(value) % 5 == 0) for value in values)
    advocate, _user = signed_in("advocate")
    page = advocate.get(f"/stats/releases/{published}").get_data(as_text=True)
    for table in release["tables"]:
        assert table["title"] in page


def test_labels_follow_accept_language(client, periods, secret):
    published, _requested = periods
    english = client.get(f"/api/v1/releases/{published}", headers=bearer(secret)).json
    russian = client.get(f"/api/v1/releases/{published}", headers=bearer(secret, **{"Accept-Language": "ru"})).json
    assert [t["id"] for t in english["tables"]] == [t["id"] for t in russian["tables"]]
    assert [t["title"] for t in english["tables"]] != [t["title"] for t in russian["tables"]]
