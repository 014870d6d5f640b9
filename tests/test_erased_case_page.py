"""After erasure a case stays, with its coded facts, its notes' authors and times, its referrals and
its tag decisions; every text that was encrypted under the person's key is gone, and the pages say
so where the text was instead of printing Python's "None"."""

import html
import re

from casework import clock
from casework.cases.case_record import LATEST_NOTES
from casework.extensions import db
from casework.models import Case, CaseTag, Note, Referral
from tests.conftest import csrf_from


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _case_with_texts(app, create_case, partner, coordinator) -> str:
    """A case with more notes than its page shows, a referral and a tag decision, each with a text."""
    case_id = create_case(by=coordinator)
    with app.app_context():
        case = db.session.get(Case, case_id)
        db.session.add_all(
            Note(case=case, author_id=coordinator.id, body=f"Call number {number}.") for number in range(LATEST_NOTES + 1)
        )
        db.session.add(
            Referral(
                case=case, partner_id=partner, referred_by_id=coordinator.id, referred_on=clock.today(), purpose="Asylum advice."
            )
        )
        tag = db.session.scalars(db.select(CaseTag).where(CaseTag.case_id == case_id)).first()
        tag.decision, tag.decided_by_id, tag.decided_at, tag.reason = "confirmed", coordinator.id, clock.utcnow(), "Summons seen."
        db.session.commit()
    return case_id


def test_an_erased_persons_case_pages_say_erased_where_the_texts_were(app, signed_in, create_case, partner):
    client, coordinator = signed_in("coordinator")
    case_id = _case_with_texts(app, create_case, partner, coordinator)
    page = _text(client.get(f"/cases/{case_id}"))
    assert "Asylum advice." in page and "Summons seen." in page and "Call number" in page

    assert client.post(f"/cases/{case_id}/erase", data={"csrf_token": csrf_from(page), "confirm": "erase"}).status_code == 302

    for path in (f"/cases/{case_id}", f"/cases/{case_id}/notes"):
        response = client.get(path)
        assert response.status_code == 200, path
        page = _text(response)
        for gone in ("Asylum advice.", "Summons seen.", "Call number"):
            assert gone not in page, (path, gone)
        visible = re.sub(r"<[^>]+>", " ", page)
        assert not re.search(r"\bNone\b", visible), (path, re.findall(r"[^\n]{0,60}\bNone\b[^\n]{0,20}", visible)[:3])
        assert page.count("(erased)") >= LATEST_NOTES, path
