"""S20: no plaintext column lets anyone compute a value kept encrypted, finer than the coarse coded
columns the statistics need.

Two checks. One is generated from the models: every column of every table linked to a person
(through a foreign key to persons or to a table linked to it, or a person_id/case_id column) is
either encrypted or on ALLOWED below, with why it may be plaintext and how coarse it is; and
docs/data-inventory.md lists it. The other reads the raw database (the SQLite file, or a pg_dump)
after a seeded demo and looks for every exact date and piece of free text of every person.
"""

import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import select, update

from casework import clock, create_app
from casework.cases.forms import PersonFields
from casework.choices import LANGUAGES
from casework.config import PROJECT_ROOT
from casework.extensions import db
from casework.models import Case, Person
from casework.models.encrypted import ENCRYPTED_MODELS, encrypted_attributes
from casework.models.person import LANGUAGES as PERSON_LANGUAGES
from tests.conftest import test_settings as settings_for
from tests.test_cases_workflow import intake
from tests.test_encryption import _encodings, _raw_database_bytes
from tests.test_migrations import _undo_env_py_logging_config  # noqa: F401 (autouse: migrations reconfigure logging)

ID = "a random UUID or a sequence number: says nothing about the person"
STAFF = "a staff account's id: who works the case, not who is helped"
WORKFLOW = "the time of a staff action, not a date in the person's life; no encrypted value is computed from it"
CODED = "a code from a fixed list"

#: (table, column) -> (why it may be plaintext, how coarse it is).
ALLOWED = {
    ("persons", "id"): ("links the person's rows", ID),
    ("persons", "dek_version"): ("key rotation", "a small counter"),
    ("persons", "created_at"): ("lists and retention", WORKFLOW),
    ("persons", "erased_at"): ("erasure bookkeeping", WORKFLOW),
    ("persons", "sex"): ("statistics (sex bands)", f"{CODED}: M, F or X"),
    ("persons", "citizenship"): ("statistics", f"{CODED}: RU, RU+other, former or stateless; the other country is encrypted"),
    ("persons", "languages"): ("matching a volunteer", f"{CODED}: 10 widely spoken ISO 639-1 languages, no minority language"),
    ("persons", "no_contact_details"): ("a case without contact details is a recorded choice", "a flag"),
    ("person_keys", "person_id"): ("links the wrapped key", ID),
    ("person_keys", "kek_version"): ("key rotation", "a small counter"),
    ("person_keys", "wrapped"): ("the data key, wrapped by a key that is not in the database", "ciphertext"),
    ("blind_indexes", "id"): ("row id", ID),
    ("blind_indexes", "person_id"): ("exact search", ID),
    ("blind_indexes", "name"): ("which identifier the digest is of", CODED),
    ("blind_indexes", "key_version"): ("key rotation", "a small counter"),
    ("blind_indexes", "digest"): ("exact search", "32 bits of a keyed HMAC; the key is not in the database"),
    ("stats_counted_people", "person_id"): ("one contribution per human in statistics", ID),
    ("stats_counted_people", "period"): (
        "the quarter a release counted the person in, never moved",
        f"{CODED}: a quarter, as coarse as the first intake's",
    ),
    ("documents", "id"): ("names the file", ID),
    ("documents", "person_id"): ("link", ID),
    ("documents", "case_id"): ("link", ID),
    ("documents", "uploaded_by_id"): ("accountability", STAFF),
    ("documents", "content_type"): ("serving the file", f"{CODED}: PDF, JPEG or PNG"),
    ("documents", "created_at"): ("listing", WORKFLOW),
    ("cases", "id"): ("links", ID),
    ("cases", "person_id"): ("links", ID),
    ("cases", "status"): ("workflow", CODED),
    ("cases", "outcome"): ("workflow, statistics", CODED),
    ("cases", "assignee_id"): ("access control (S14)", STAFF),
    ("cases", "created_by_id"): ("accountability", STAFF),
    ("cases", "created_at"): ("lists, statistics periods", WORKFLOW),
    ("cases", "updated_at"): ("workflow", WORKFLOW),
    ("cases", "closed_at"): ("retention (S17)", WORKFLOW),
    ("cases", "possible_duplicate"): ("coordinators' queue", "a flag"),
    ("cases", "is_demo"): ("the DEMO mark", "a flag"),
    ("cases", "version"): ("optimistic locking", "a counter"),
    ("cases", "deadline_band"): (
        "the case list's order and the due list's first cut, without reading every case",
        "0: some deadline within 90 days before to 31 days after deadline_band_on; 1: the earliest after "
        "that within 92 days; 2: later; none: no deadline. Windows of 122, 61 days and open-ended, of "
        "one of up to seven kinds of deadline, which the band does not say",
    ),
    ("cases", "deadline_band_on"): ("which day the band is relative to", "the day of the last save or refresh: " + WORKFLOW),
    ("cases", "age_band"): ("statistics", f"{CODED}: 18-24, 25-34, 35-44, 45+ at intake"),
    ("cases", "needs"): ("filters, statistics", f"{CODED}s"),
    ("case_tags", "id"): ("row id", ID),
    ("case_tags", "case_id"): ("link", ID),
    ("case_tags", "decided_by_id"): ("accountability", STAFF),
    ("case_tags", "decided_at"): ("accountability", WORKFLOW),
    ("case_tags", "evaluated_on"): ("which day the rules were applied", WORKFLOW),
    ("case_tags", "covered_since"): (
        "since when the policy baseline covers the rule",
        "a date of the policy, the same for every case",
    ),
    ("consents", "id"): ("row id", ID),
    ("consents", "person_id"): ("link", ID),
    ("consents", "store"): ("consent must be checkable without decrypting", "a flag"),
    ("consents", "scope"): ("which consent question a row answers", CODED),
    ("consents", "granted"): ("consent must be checkable without decrypting", "a flag"),
    ("consents", "contact"): ("consent must be checkable without decrypting", "a flag"),
    ("consents", "method"): ("how consent was given", CODED),
    ("consents", "recorded_by_id"): ("accountability", STAFF),
    ("consents", "recorded_at"): ("when consent was recorded", WORKFLOW),
    ("consents", "expires_on"): (
        "consent must be checkable without decrypting",
        "a date agreed for the consent, no fact of the person's life",
    ),
    ("consents", "withdrawn_at"): ("consent must be checkable without decrypting", WORKFLOW),
    ("api_consents", "consent_id"): ("link", ID),
    ("api_consents", "token_id"): ("which integration the consent came through", "an integration token's id"),
    ("api_consents", "text_version"): ("which consent text the person agreed to", "a version label the channel gives its text"),
    ("api_consents", "given_at"): (
        "when the person agreed, as the channel states it",
        "at most 30 days before the intake, whose time (cases.created_at) is plaintext already; no date of the person's life",
    ),
    ("consent_partners", "consent_id"): ("referral rule (S18)", ID),
    ("consent_partners", "partner_id"): ("referral rule (S18)", "a partner organisation's id"),
    ("notes", "id"): ("row id", ID),
    ("notes", "case_id"): ("link", ID),
    ("notes", "author_id"): ("accountability", STAFF),
    ("notes", "created_at"): ("append-only history", WORKFLOW),
    ("notes", "corrects_id"): ("append-only history", ID),
    ("referrals", "id"): ("row id", ID),
    ("referrals", "case_id"): ("link", ID),
    ("referrals", "partner_id"): ("to whom (S18)", "a partner organisation's id"),
    ("referrals", "referred_by_id"): ("accountability", STAFF),
    ("referrals", "referred_on"): ("when (S18)", WORKFLOW),
    ("import_rows", "id"): ("row id", ID),
    ("import_rows", "run_id"): ("which import the row belongs to", ID),
    ("import_rows", "row_number"): ("resuming an import without creating a row twice", "the row's position in the file"),
    ("import_rows", "case_id"): ("which case the row became", ID),
    ("import_rows", "state"): ("the import's report", f"{CODED}: created or refused"),
    ("import_rows", "problems"): ("the import's report", "names of the intake form's fields that failed, never a value"),
    ("audit_events", "id"): ("row id", ID),
    ("audit_events", "seq"): ("the chain's order", "a counter"),
    ("audit_events", "at"): ("accountability", WORKFLOW),
    ("audit_events", "actor_id"): ("accountability", STAFF),
    ("audit_events", "action"): ("accountability", CODED),
    ("audit_events", "target_user_id"): ("accountability", STAFF),
    ("audit_events", "case_id"): ("accountability", ID),
    ("audit_events", "person_id"): ("accountability", ID),
    ("audit_events", "detail"): ("accountability", "a code, a count or a status, never a value of the person"),
    ("audit_events", "address"): ("investigating misuse", "a staff member's IP address"),
    ("audit_events", "key_version"): ("key rotation", "a small counter"),
    ("audit_events", "digest"): ("tamper evidence (S16)", "a keyed HMAC; the key is not in the database"),
}
#: The coded facts of a case: filters, rules and statistics read them without decrypting.
for _name in (
    "location",
    "military_situation",
    "rank_group",
    "reserve_category",
    "specialty_class",
    "fitness_category",
    "profession_class",
    "deferral",
    "contact_kinds",
    "summons_purpose",
    "exit_ban",
    "action",
    "written_evidence",
    "dutch_status",
    "visa_limited_validity",
    "research_permit",
    "degree_country",
):
    ALLOWED["cases", _name] = ("filters, rules and statistics", f"{CODED}; no place below country level, no date")
#: The rules' verdicts and the policy's coverage, from fixed lists (decision reasons are encrypted).
for _name in ("rule_id", "proposal", "suggested", "needs", "baseline_version", "coverage", "left_out", "holds", "decision"):
    ALLOWED["case_tags", _name] = ("filters and statistics without decrypting", CODED)


@pytest.fixture
def in_app(app):
    """Reading the models' attributes needs an app context."""
    with app.app_context():
        yield


def _linked_tables() -> dict[str, sa.Table]:
    """persons, and every table pointing at a linked table or naming a person or case, to a fixed point."""
    linked = {"persons"}
    grew = True
    while grew:
        grew = False
        for table in db.metadata.sorted_tables:
            points = any(key.column.table.name in linked for key in table.foreign_keys)
            if table.name not in linked and (points or {"person_id", "case_id"} & set(table.c.keys())):
                linked.add(table.name)
                grew = True
    return {name: db.metadata.tables[name] for name in sorted(linked)}


def _encrypted_columns() -> set[tuple[str, str]]:
    return {(model.__table__.name, name) for model in ENCRYPTED_MODELS for name in encrypted_attributes(model)}


def _plaintext_columns() -> set[tuple[str, str]]:
    encrypted = _encrypted_columns()
    return {(name, column.name) for name, table in _linked_tables().items() for column in table.c} - encrypted


def test_the_walk_reaches_every_table_that_holds_a_persons_data(in_app):
    assert {
        "persons",
        "person_keys",
        "cases",
        "notes",
        "referrals",
        "documents",
        "consents",
        "consent_partners",
        "case_tags",
        "audit_events",
        "import_rows",
    } <= set(_linked_tables())
    assert {"users", "partners", "roles"}.isdisjoint(_linked_tables())


def test_every_plaintext_column_linked_to_a_person_is_allowed_with_a_reason(in_app):
    """A new plaintext column on a person's table is refused until its reason and coarseness are here."""
    unexplained = sorted(_plaintext_columns() - set(ALLOWED))
    assert unexplained == [], f"plaintext columns linked to a person, not on ALLOWED: {unexplained}"


def test_the_allow_list_holds_only_plaintext_columns_that_exist(in_app):
    stale = sorted(set(ALLOWED) - _plaintext_columns())
    assert stale == [], f"ALLOWED names columns that are gone or now encrypted: {stale}"
    assert all(reason and coarseness for reason, coarseness in ALLOWED.values())


def test_no_deadline_date_is_plaintext(in_app):
    """The finding itself: the deadlines table and cases.next_deadline_on held exact dates."""
    assert "deadlines" not in db.metadata.tables
    assert "next_deadline_on" not in db.metadata.tables["cases"].c
    assert ("cases", "deadline_list") in _encrypted_columns()


def _inventory() -> dict[str, set[str]]:
    """docs/data-inventory.md as {table: words in the first cell of its sections' rows}."""
    listed: dict[str, set[str]] = {}
    tables: list[str] = []
    for line in (PROJECT_ROOT / "docs" / "data-inventory.md").read_text().splitlines():
        if line.startswith("## "):
            tables = re.findall(r"[a-z_]+", line[3:].split(" — ")[0])
        elif line.startswith("| ") and not line.startswith("|---"):
            words = set(re.findall(r"[a-z_]+", line.split("|")[1]))
            for table in tables:
                listed.setdefault(table, set()).update(words)
    return listed


def test_the_data_inventory_lists_every_column_of_every_linked_table(in_app):
    inventory = _inventory()
    missing = sorted(
        (name, column.name)
        for name, table in _linked_tables().items()
        for column in table.c
        if column.name not in inventory.get(name, set())
    )
    assert missing == [], f"docs/data-inventory.md does not list: {missing}"


# Languages are coded ---------------------------------------------------------------------------


def test_languages_take_only_codes_from_the_fixed_list(app):
    with app.app_context():
        assert Person(languages="ru,en").languages == "ru,en"
        for free_text in ("русский", "ru, en", "Russian", "ru,tt"):
            with pytest.raises(ValueError):
                Person(languages=free_text)
    assert [code for code, _label in LANGUAGES] == list(PERSON_LANGUAGES)
    assert PersonFields.languages.field_class.__name__ == "CodeList"


def test_intake_refuses_a_language_not_on_the_list_and_keeps_a_coded_one(app, signed_in):
    client, _volunteer = signed_in("volunteer")
    refused = intake(client, languages="tt")
    assert refused.status_code == 200 and "is not a valid choice" in refused.get_data(as_text=True)
    assert intake(client, languages=["ru", "nl"]).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Person.languages).order_by(Person.created_at.desc()).limit(1)) == "ru,nl"


# The raw scan ----------------------------------------------------------------------------------

#: The textual forms a date takes in files, dumps and logs.
DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%m/%d/%Y")


def _date_forms(day: date) -> list[bytes]:
    texts = [day.strftime(form) for form in DATE_FORMATS]
    return [text.encode(encoding) for text in texts for encoding in ("utf-8", "utf-16-le", "utf-16-be")]


def _secrets_of_every_person() -> tuple[set[date], set[str]]:
    """Every exact date (birth, case facts, deadlines) and every free text of every person, decrypted."""
    dates, texts = set(), set()
    date_fields = [name for name in encrypted_attributes(Case) if getattr(Case, name).kind is date]
    for case in db.session.scalars(select(Case)):
        person = case.person
        dates |= {person.date_of_birth} | {getattr(case, name) for name in date_fields}
        dates |= {due for _kind, due in case.deadlines}
        for name in ("surname_latin", "given_names_latin", "surname_cyrillic", "given_names_cyrillic", "phone", "telegram"):
            texts.add(getattr(person, name))
        texts |= {case.city, case.narrative}
    return dates - {None}, texts - {None}


def _plaintext_days() -> set[date]:
    """The days that plaintext date and time columns hold (staff actions, workflow): a person's date
    that happens to fall on one of them cannot be told apart in the raw bytes."""
    days = set()
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            for column in table.c:
                if isinstance(column.type, (sa.Date, sa.DateTime)):
                    for value in connection.execute(select(column).where(column.is_not(None)).distinct()).scalars():
                        days.add(value.date() if isinstance(value, datetime) else value)
    return days


def _found(raw: bytes, dates: set[date], texts: set[str]) -> list[str]:
    hits = [day.isoformat() for day in sorted(dates) if any(form in raw for form in _date_forms(day))]
    return hits + [text for text in sorted(texts) if any(form in raw for form in _encodings(text))]


def test_a_raw_scan_after_a_seeded_demo_finds_no_exact_date_and_no_free_text(app, runner):
    """Dates of birth, permit expiries, summons dates, every other case date and every deadline,
    in ISO and other common forms; names, phones, handles, cities and stories."""
    for arguments in (["demo", "seed", "--cases", "40", "--seed", "20"], ["deadlines", "refresh"]):
        result = runner.invoke(args=arguments)
        assert result.exit_code == 0, result.output
    with app.app_context():
        dates, texts = _secrets_of_every_person()
        comparable = dates - _plaintext_days()
        assert len(comparable) >= 60 and len(comparable) >= len(dates) * 2 // 3, (len(comparable), len(dates))
        assert len(texts) >= 200
        raw = _raw_database_bytes(app)
        assert len(raw) > 10_000
        assert _found(raw, comparable, texts) == []


def test_the_raw_scan_would_find_a_date_or_a_text(app):
    """The scan above is only worth something if it finds what is there, in any of its forms."""
    day = date(1991, 5, 21)
    assert _found(b"x" + "21.05.1991".encode("utf-16-le") + b"x", {day}, set()) == ["1991-05-21"]
    assert _found(b"\t1991-05-21\n", {day}, set()) == ["1991-05-21"]
    assert _found("Маркерова".encode(), set(), {"Маркерова"}) == ["Маркерова"]


def test_the_scan_would_have_found_the_old_plaintext_deadlines(app, make_user, create_case):
    """The end of conscription age (a date of birth moved by a fixed step) written in plaintext, as
    the old deadlines table did, is found."""
    case_id = create_case(by=make_user("volunteer"), date_of_birth=date(1994, 2, 3), sex="M")
    with app.app_context():
        end = dict(db.session.get(Case, case_id).deadlines)["conscription_age_end"]
        assert _found(_raw_database_bytes(app), {end}, set()) == []
        db.session.execute(update(Case).where(Case.id == case_id).values(outcome=end.isoformat()[:10]))
        db.session.commit()
        assert _found(_raw_database_bytes(app), {end}, set()) == [end.isoformat()]


def test_a_saved_case_keeps_its_deadlines_encrypted_and_a_band_in_plaintext(app, make_user, create_case):
    expiry = clock.today() + timedelta(days=10)
    case_id = create_case(by=make_user("volunteer"), date_of_birth=None, dutch_status="student", permit_expires_on=expiry)
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.deadlines == [("extension_window", expiry - relativedelta(months=3)), ("permit_expiry", expiry)]
        assert (case.deadline_band, case.deadline_band_on) == (0, clock.today())
        assert case.next_deadline_on == expiry


# The migration ---------------------------------------------------------------------------------

MIGRATION = "b7d3e5f1a2c9"


def test_the_migration_drops_plaintext_deadlines_and_keeps_only_coded_languages(database_url):
    """Free text in `languages` is reduced to the codes it names; the deadlines table goes; the new
    columns wait for `deadlines refresh`, which needs the keys a migration does not have."""
    app = create_app(settings_for(database_url))
    with app.app_context():
        config = current_app.extensions["migrate"].migrate.get_config()
        before = ScriptDirectory.from_config(config).get_revision(MIGRATION).down_revision
        command.upgrade(config, before)
        with db.engine.begin() as connection:
            for number, spoken in enumerate(["RU, en; русский", "татарский", "nl", None]):
                connection.execute(
                    sa.text("INSERT INTO persons (id, dek_version, created_at, languages) VALUES (:id, 1, :at, :spoken)"),
                    {"id": f"p{number}", "at": datetime(2026, 1, 1), "spoken": spoken},
                )
        command.upgrade(config, MIGRATION)
        with db.engine.connect() as connection:
            languages = dict(connection.execute(sa.text("SELECT id, languages FROM persons")).all())
        inspector = sa.inspect(db.engine)
        assert languages == {"p0": "ru,en", "p1": None, "p2": "nl", "p3": None}
        assert "deadlines" not in inspector.get_table_names()
        assert {"deadline_list", "deadline_band", "deadline_band_on"} <= {
            column["name"] for column in inspector.get_columns("cases")
        }
        assert "next_deadline_on" not in {column["name"] for column in inspector.get_columns("cases")}
        db.session.remove()
        db.engine.dispose()
