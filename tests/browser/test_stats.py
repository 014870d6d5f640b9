"""An advocate reads a published release in Chromium: tables, charts, CSV and JSON; axe-core on each page."""

from datetime import datetime

from playwright.sync_api import expect

from casework.extensions import db
from casework.models import Case, User
from casework.stats import operations
from tests.browser.conftest import assert_accessible
from tests.browser.test_cases import sign_in


def test_advocate_reads_a_release_with_charts_and_downloads(app, make_user, create_case, new_context):
    coordinator, advocate = make_user("coordinator"), make_user("advocate")
    period = operations.closed_periods()[0]
    for number in range(30):
        case_id = create_case(by=coordinator, phone=f"+3161000{number:04d}", surname_latin=f"Sample{number}")
        with app.app_context():
            case = db.session.get(Case, case_id)
            start = datetime.strptime(period[:4] + "-" + str(3 * int(period[-1]) - 1).zfill(2) + "-15", "%Y-%m-%d")
            case.created_at = start
            db.session.commit()
    with app.app_context():
        release = operations.request_release(period, db.session.get(User, advocate.id))
        operations.publish(release, None)
        db.session.commit()

    page = new_context(accept_downloads=True).new_page()
    sign_in(app, page, advocate, "Welcome, Advocate")
    page.get_by_role("link", name="Statistics", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anonymised statistics")
    assert_accessible(page, "the list of releases")
    page.get_by_role("link", name=period, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Statistics for {period}")
    assert_accessible(page, "a release")
    page.wait_for_load_state("load")
    charts = page.locator("img.chart")
    expect(charts).to_have_count(5)
    response = page.request.get(charts.first.get_attribute("src"))
    assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml"), response.status
    for index in range(5):
        assert charts.nth(index).evaluate("img => img.complete && img.naturalWidth > 0"), "every chart renders"
    for cell in page.locator("table td").all_inner_texts():
        assert cell == "<10" or (cell.isdigit() and int(cell) % 5 == 0 and int(cell) >= 10), cell

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV").click()
    assert f"Casework statistics for {period}" in open(csv_download.value.path(), encoding="utf-8").read()
    with page.expect_download() as json_download:
        page.get_by_role("link", name="Download JSON").click()
    assert f'"period": "{period}"' in open(json_download.value.path(), encoding="utf-8").read()
