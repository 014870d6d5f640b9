"""A case moved to the person it turned out to be takes that person's facts at once: its deadlines
that follow from the date of birth, its age band and its proposal tags are recomputed with the move,
not at the next daily `deadlines refresh`."""

from casework.extensions import db
from casework.models import Case
from tests.test_consent_origin import _merge

AGE_KINDS = {"conscription_age_end", "reserve_age_end"}


def _kinds(app, case_id: str) -> set[str]:
    with app.app_context():
        return {kind for kind, _due in db.session.get(Case, case_id).deadlines}


def test_a_merged_case_takes_the_known_persons_birth_date_deadlines_at_once(app, signed_in, create_case):
    coordinator, user = signed_in("coordinator")
    known_case = create_case(by=user)  # born 1994: age limits known
    flagged_case = create_case(by=user, date_of_birth=None, given_names_latin="Dima", given_names_cyrillic="Дима")
    assert _kinds(app, known_case) & AGE_KINDS
    assert not _kinds(app, flagged_case) & AGE_KINDS
    with app.app_context():
        flagged = db.session.get(Case, flagged_case)
        assert flagged.age_band == "unknown"
        flagged.possible_duplicate = True  # as the check after a volunteer's intake finds it (same phone)
        db.session.commit()

    _merge(app, coordinator, flagged_case)

    assert _kinds(app, flagged_case) & AGE_KINDS == _kinds(app, known_case) & AGE_KINDS
    with app.app_context():
        moved, known = db.session.get(Case, flagged_case), db.session.get(Case, known_case)
        assert moved.person_id == known.person_id
        assert moved.age_band == known.age_band != "unknown"
    page = coordinator.get(f"/cases/{flagged_case}").get_data(as_text=True)
    assert "Last day within the reserve age limit" in page or "Last day of conscription age" in page
