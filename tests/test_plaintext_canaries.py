"""Plaintext personal data, or plaintext derived from it, where features meet (S1, S6, S19, S20).

One story through the web with distinctive canary values (intake, a refused intake, edit, a stale
edit, note, document, tag decision, referral, search, a second intake of the same person and the
merge of the two records, a spreadsheet import with a hand-mapped value and a refused row, an API
intake and a refused one, the access export, a statistics release, erasure), DEBUG logging on, and
then a scan of: every byte of the database (the SQLite files or a pg_dump), every stored session
(database or Redis, and every other Redis key such as the limiter's), the log as Casework's own
handler writes it, the document folder (names and bytes), and every URL the app sent (Location
headers, links and form actions). Every canary is looked for in its usual normalised forms.
"""

import hashlib
import io
import json
import logging
import os
import re
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask.testing import FlaskClient
from sqlalchemy import select

from casework import jobs
from casework.cases.agenda import HORIZON_DAYS
from casework.extensions import db
from casework.imports import facts, sealing
from casework.models import AuditEvent, Case, Partner
from casework.models.imports import ImportLayout, ImportRun
from casework.models.session import SessionRecord
from casework.people import normalise
from casework.stats import operations as stats_operations
from tests.api_fixtures import bearer, intake_body
from tests.conftest import csrf_from
from tests.test_cases_workflow import as_form, edit_form
from tests.test_deploy_files import _flask_commands
from tests.test_encryption import _encodings, _raw_database_bytes
from tests.test_import_run import COLUMNS
from tests.test_import_web import chosen_columns

#: Its own database on the test Redis server (tests/test_sessions_redis.py uses 14).
REDIS_URL = os.environ.get("CASEWORK_TEST_PLAINTEXT_REDIS_URL", "redis://127.0.0.1:6379/13")

# The canaries ------------------------------------------------------------------------------------

DOB = date(1987, 9, 14)
IMPORT_DOB = date(1989, 3, 2)
API_DOB = date(1985, 11, 23)
PERMIT = date.today() + timedelta(days=47)

PERSON = {
    "surname_latin": "Qwertyanova",
    "given_names_latin": "Yarozhanna Bronislava",
    "surname_cyrillic": "Квертьянова",
    "given_names_cyrillic": "Ярожанна Брониславовна",
    "alias": "Kapibarushka",
    "phone": "+31687654329",
    "email": "yarozhanna.qwertyanova@proton-mail.example",
    "telegram": "@qwertyan_77",
    "signal": "+31687650011",
    "passport_number": "KZ7731946",
    "address": "Vlinderstraat 919, Apeldoornvliet",
}
CASE = {
    "city": "Zwammerdamsk",
    "specialty_code": "VUS-461173",
    "narrative": "She left after the Zebrafinchwort summons.",
}
IMPORTED = {
    "surname_cyrillic": "Импортанская",
    "given_names_cyrillic": "Златогора",
    "surname_latin": "Importanskaya",
    "given_names_latin": "Zlatogora",
    "phone": "+79265550147",
}
REFUSED_ROW = {"surname_cyrillic": "Брокендатова", "surname_latin": "Brokendatova", "phone": "+79265550148"}
API_PERSON = {
    "surname_latin": "Apiwerkowa",
    "given_names_latin": "Trofimena",
    "surname_cyrillic": "Апиверкова",
    "given_names_cyrillic": "Трофимена",
    "phone": "+79265550199",
    "telegram": "@apiwerk_93",
}

#: Free words typed into features that are not person fields but are about the person.
WORDS = {
    "edit": "Marmelwaddle",
    "stale edit": "Stalequince",
    "refused intake": "Refusomantle",
    "note": "Hollyquokka",
    "refused note": "Notenvergessen",
    "tag reason": "Marzipanthus",
    "referral": "Gravlaxius",
    "document name": "paspoort-Qwertyanova-scan.pdf",
    "second intake": "Qwertianova",
    "import file name": "Importanskaya-lijst.csv",
    "import source": "Ledgerbrook register",
    "import cell": "Vondelzwerk",
    "api narrative": "Apinarrowboat",
}


def _date_texts(day: date) -> list[str]:
    return [
        day.isoformat(),
        day.strftime("%Y%m%d"),
        day.strftime("%d.%m.%Y"),
        day.strftime("%d-%m-%Y"),
        day.strftime("%d/%m/%Y"),
        day.strftime("%m/%d/%Y"),
        day.strftime("%d.%m.%y"),
        day.strftime("%Y-%m"),
        day.strftime("%m.%Y"),
        day.strftime("%m/%Y"),
    ]


def _text_forms(value: str) -> set[str]:
    forms = {value, value.lower(), value.upper(), value.casefold(), normalise.text(value)}
    skeleton = normalise.name_skeleton(value)
    if len(skeleton) >= 6:
        forms.add(skeleton)
    for word in re.findall(r"\w{6,}", value):
        if word[0].isupper():  # proper names and the canary words, not "summons" or "register"
            forms |= {word, word.lower(), word.casefold()}
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 7:
        forms.add(digits)
    return forms


def _phone_forms(value: str) -> set[str]:
    digits = re.sub(r"\D", "", value)
    return {value, digits, digits[2:], "0" + digits[2:], digits[-8:]}


def canaries() -> dict[str, set[str]]:
    """Label -> every textual form of the value that must not appear in plaintext."""
    found: dict[str, set[str]] = {}
    for group in (PERSON, CASE, IMPORTED, REFUSED_ROW, API_PERSON):
        for name, value in group.items():
            forms = _phone_forms(value) if name in ("phone", "signal") else _text_forms(value)
            found[f"{name}={value}"] = forms
    found["passport"] = {"KZ7731946", "kz7731946", "7731946"}
    found["telegram"] = {"qwertyan_77", "apiwerk_93"}
    for label, word in WORDS.items():
        found[label] = _text_forms(word)
    for label, day in (("date of birth", DOB), ("imported date of birth", IMPORT_DOB), ("api date of birth", API_DOB)):
        found[label] = set(_date_texts(day))
    found["permit expiry"] = {PERMIT.isoformat(), PERMIT.strftime("%d.%m.%Y"), PERMIT.strftime("%Y%m%d")}
    return {label: {form for form in forms if len(form) >= 6} for label, forms in found.items()}


CANARIES = canaries()


def hits_in_bytes(data: bytes) -> list[str]:
    return sorted(
        {f"{label} ({form!r})" for label, forms in CANARIES.items() for form in forms for enc in _encodings(form) if enc in data}
    )


def hits_in_text(text: str) -> list[str]:
    folded = text.casefold()
    return sorted({f"{label} ({form!r})" for label, forms in CANARIES.items() for form in forms if form.casefold() in folded})


# Recording every URL the app sends ------------------------------------------------------------

URL_ATTRIBUTE = re.compile(r'(?:href|action|src|formaction)="([^"]*)"')


class RecordingClient(FlaskClient):
    """A test client that keeps every Location header and every URL in the pages it got."""

    urls: list[tuple[str, str]] = []
    uncached: list[str] = []

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        where = f"{kwargs.get('method', 'GET')} {args[0] if args else kwargs.get('path', '')}"
        if "Location" in response.headers:
            RecordingClient.urls.append((where, response.headers["Location"]))
        if response.mimetype == "text/html":
            body = response.get_data(as_text=True)
            RecordingClient.urls += [(where, url) for url in URL_ATTRIBUTE.findall(body)]
            if hits_in_text(body) and "no-store" not in response.headers.get("Cache-Control", ""):
                RecordingClient.uncached.append(where)
        return response


# Fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def store_kind():
    """Where sessions and limiter counters live; the story test runs with each."""
    return "sqlalchemy"


@pytest.fixture
def redis_store(store_kind):
    if store_kind != "redis":
        yield None
        return
    import redis

    client = redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CASEWORK_REQUIRE_REDIS") == "1":
            pytest.fail(f"no Redis at {REDIS_URL}, which CI requires")
        pytest.skip(f"no Redis at {REDIS_URL}")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def settings(settings, store_kind, redis_store):
    """DEBUG for Casework and for every library; sessions and limiter counters in Redis when asked."""
    extra = {"CASEWORK_LOG_LEVEL": "DEBUG", "CASEWORK_LIBRARY_LOG_LEVEL": "DEBUG"}
    if store_kind == "redis":
        extra |= {"CASEWORK_REDIS_URL": REDIS_URL, "SESSION_TYPE": "redis", "RATELIMIT_STORAGE_URI": REDIS_URL}
    return {**settings, **extra}


@pytest.fixture
def log_buffer(app):
    """What Casework's own log handler writes (its format and its filter), at DEBUG."""
    handlers = [handler for handler in logging.getLogger().handlers if getattr(handler, "casework", False)]
    assert len(handlers) == 1
    buffer = io.StringIO()
    previous = handlers[0].setStream(buffer)
    yield buffer
    handlers[0].setStream(previous)


@pytest.fixture
def recording(app):
    app.test_client_class = RecordingClient
    RecordingClient.urls, RecordingClient.uncached = [], []
    yield RecordingClient
    RecordingClient.urls, RecordingClient.uncached = [], []


# Scanning ------------------------------------------------------------------------------------


def _redis_dump(client) -> bytes:
    parts = []
    for key in client.scan_iter("*"):
        parts.append(key)
        kind = client.type(key).decode()
        if kind == "string":
            parts.append(client.get(key) or b"")
        elif kind == "hash":
            parts += [b"%s=%s" % pair for pair in client.hgetall(key).items()]
        elif kind == "list":
            parts += client.lrange(key, 0, -1)
        elif kind == "set":
            parts += list(client.smembers(key))
        elif kind == "zset":
            parts += [member for member, _score in client.zrange(key, 0, -1, withscores=True)]
    return b"\n".join(parts)


def _sessions_text(app, redis_client) -> str:
    """Every stored session, decoded, as text (so that msgpack's framing cannot hide a value)."""
    decoded = []
    serializer = app.session_interface.serializer
    if redis_client is not None:
        for key in redis_client.scan_iter(f"{app.session_interface.key_prefix}*"):
            decoded.append(serializer.decode(redis_client.get(key)))
    else:
        with app.app_context():
            decoded = [serializer.decode(data) for data in db.session.scalars(select(SessionRecord.data))]
    return json.dumps(decoded, default=str, ensure_ascii=False)


def _document_folder(app) -> tuple[list[str], bytes]:
    folder = Path(app.config["CASEWORK_DOCUMENT_DIR"])
    files = [path for path in folder.rglob("*") if path.is_file()]
    return [str(path.relative_to(folder)) for path in files], b"".join(path.read_bytes() for path in files)


def scan(app, log_buffer, redis_client) -> dict[str, list[str]]:
    with app.app_context():
        raw = _raw_database_bytes(app)
    assert len(raw) > 10_000, "the database was read"
    names, contents = _document_folder(app)
    found = {
        "database": hits_in_bytes(raw),
        "sessions": hits_in_text(_sessions_text(app, redis_client)),
        "log": hits_in_text(log_buffer.getvalue()),
        "document folder names": hits_in_text(" ".join(names)),
        "document folder bytes": hits_in_bytes(contents),
        "urls": sorted({f"{where} -> {url}: {hit}" for where, url in RecordingClient.urls for hit in hits_in_text(url)}),
        "pages with personal data but cacheable": sorted(set(RecordingClient.uncached)),
    }
    if redis_client is not None:
        found["redis"] = hits_in_bytes(_redis_dump(redis_client))
    return {place: hits for place, hits in found.items() if hits}


# The story -----------------------------------------------------------------------------------

PDF = b"%PDF-1.7\n" + b"scan of a passport\n%%EOF"


def _token(client, path: str) -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def _intake_values(**overrides) -> dict:
    values = {
        "consent_store": True,
        "consent_contact": True,
        "consent_method": "telegram",
        **PERSON,
        "date_of_birth": DOB,
        "sex": "F",
        "citizenship": "RU",
        "languages": ["ru", "en"],
        "location": "netherlands",
        "military_situation": "reservist",
        "rank_group": "soldier",
        "dutch_status": "schengen_visa",
        "permit_expires_on": PERMIT,
        "needs": ["legal_advice", "stay_extension"],
        **CASE,
    }
    values.update(overrides)
    return as_form(values)


def _post_intake(client, **overrides):
    data = _intake_values(**overrides)
    data["csrf_token"] = _token(client, "/cases/new")
    return client.post("/cases/new", data=data)


def _case_id(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    return re.search(r"/cases/([0-9a-f-]{36})", response.headers["Location"]).group(1)


def _import_sheet() -> bytes:
    headers = ["Фамилия", "Имя", "Surname", "Given names", "Дата рождения", "Пол", "Телефон", "Военный статус", "Где сейчас"]
    rows = [
        [
            IMPORTED["surname_cyrillic"],
            IMPORTED["given_names_cyrillic"],
            IMPORTED["surname_latin"],
            IMPORTED["given_names_latin"],
            IMPORT_DOB.strftime("%d.%m.%Y"),
            "ж",
            IMPORTED["phone"],
            f"бежала {WORDS['import cell']}",
            "Грузия",
        ],
        [
            REFUSED_ROW["surname_cyrillic"],
            "Ольга",
            REFUSED_ROW["surname_latin"],
            "Olga",
            "31.02.1991",
            "ж",
            REFUSED_ROW["phone"],
            "reservist",
            "Грузия",
        ],
    ]
    return "\n".join(";".join(row) for row in [headers, *rows]).encode("utf-8")


def _import(app, client) -> None:
    token = _token(client, "/imports/")
    response = client.post(
        "/imports/",
        data={"csrf_token": token, "upload": (io.BytesIO(_import_sheet()), WORDS["import file name"])},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    columns_url = response.headers["Location"]
    page = client.get(columns_url).get_data(as_text=True)
    response = client.post(columns_url, data={"csrf_token": csrf_from(page), **chosen_columns(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/values"), response.headers.get("Location")
    values_url = response.headers["Location"]
    page = client.get(values_url).get_data(as_text=True)
    assert WORDS["import cell"].casefold() in page.casefold()
    response = client.post(values_url, data={"csrf_token": csrf_from(page), "value_0": "deserted"})
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    check_url = response.headers["Location"]
    with app.app_context():
        assert jobs.run_queued() == 1
    page = client.get(check_url).get_data(as_text=True)
    assert IMPORTED["surname_latin"] in page
    response = client.post(check_url, data={"csrf_token": csrf_from(page), "source": WORDS["import source"], "vouch": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert jobs.run_queued() == 1
    assert client.get(response.headers["Location"]).status_code == 200


def _closed_quarter_middle() -> datetime:
    period = stats_operations.closed_periods()[0]
    year, quarter = int(period[:4]), int(period[-1])
    return datetime(year, 3 * quarter - 1, 15, 12, 0)


def run_story(app, signed_in, make_token, partner_id):
    volunteer, _volunteer_user = signed_in("volunteer")
    coordinator, _coordinator_user = signed_in("coordinator")
    admin, _admin_user = signed_in("admin")

    # A refused intake (a bad e-mail): the page echoes what was typed, nothing is kept.
    refused = _post_intake(volunteer, email="not an e-mail", narrative=f"{CASE['narrative']} {WORDS['refused intake']}")
    assert refused.status_code == 200 and WORDS["refused intake"] in refused.get_data(as_text=True)

    case_id = _case_id(_post_intake(volunteer, consent_partners=[partner_id]))
    with app.app_context():
        jobs.run_queued()
    assert PERSON["surname_cyrillic"] in volunteer.get(f"/cases/{case_id}").get_data(as_text=True)

    # Edit, then a stale edit that is refused with the input kept.
    page = volunteer.get(f"/cases/{case_id}/edit").get_data(as_text=True)
    form = edit_form(page)
    form["narrative"] = [f"{CASE['narrative']} {WORDS['edit']}"]
    assert volunteer.post(f"/cases/{case_id}/edit", data=form).status_code == 302
    form["narrative"] = [f"{CASE['narrative']} {WORDS['stale edit']}"]
    stale = volunteer.post(f"/cases/{case_id}/edit", data=form)
    assert stale.status_code == 409

    token = _token(volunteer, f"/cases/{case_id}")
    assert (
        volunteer.post(f"/cases/{case_id}/notes", data={"csrf_token": token, "body": f"Called; {WORDS['note']}."}).status_code
        == 302
    )
    refused_note = volunteer.post(
        f"/cases/{case_id}/notes", data={"csrf_token": token, "body": WORDS["refused note"], "corrects": "not-a-note"}
    )
    assert refused_note.status_code == 400
    upload = volunteer.post(
        f"/cases/{case_id}/documents",
        data={"csrf_token": token, "upload": (io.BytesIO(PDF), WORDS["document name"])},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    refused_upload = volunteer.post(
        f"/cases/{case_id}/documents",
        data={"csrf_token": token, "upload": (io.BytesIO(b"MZ not a pdf"), f"refused-{WORDS['document name']}")},
        content_type="multipart/form-data",
    )
    assert refused_upload.status_code == 400
    decided = volunteer.post(
        f"/cases/{case_id}/tags/R1", data={"csrf_token": token, "decision": "added", "reason": f"Because {WORDS['tag reason']}"}
    )
    assert decided.status_code == 302, decided.get_data(as_text=True)[:1000]

    token = _token(coordinator, f"/cases/{case_id}")
    referral = coordinator.post(
        f"/cases/{case_id}/referrals", data={"csrf_token": token, "partner": str(partner_id), "purpose": WORDS["referral"]}
    )
    assert referral.status_code == 302, referral.get_data(as_text=True)[:1000]

    # Searches by every identifier, by both roles.
    for client in (volunteer, coordinator):
        for field, value, extra in (
            ("phone", PERSON["phone"], {}),
            ("email", PERSON["email"], {}),
            ("telegram", PERSON["telegram"], {}),
            ("passport", PERSON["passport_number"], {}),
            ("name", PERSON["surname_cyrillic"], {"birth_year": str(DOB.year)}),
            ("name", PERSON["surname_latin"], {"given_names": PERSON["given_names_latin"]}),
        ):
            token = _token(client, "/cases/search")
            found = client.post("/cases/search", data={"csrf_token": token, "field": field, "value": value, **extra})
            assert found.status_code == 200 and case_id in found.get_data(as_text=True), (field, value)

    # The same person again, by a volunteer, spelled differently: flagged, then merged.
    second = _case_id(_post_intake(volunteer, surname_latin=WORDS["second intake"], narrative="Second contact."))
    with app.app_context():
        jobs.run_queued()
        assert db.session.get(Case, second).possible_duplicate
        keep = db.session.get(Case, case_id).person_id
    page = coordinator.get(f"/cases/{second}/duplicate").get_data(as_text=True)
    merged = coordinator.post(f"/cases/{second}/duplicate", data={"csrf_token": csrf_from(page), "choice": keep})
    assert merged.status_code == 302
    # A coordinator's intake of the same person is shown the candidates first.
    candidates = _post_intake(coordinator)
    assert candidates.status_code == 200

    _import(app, coordinator)

    # Through an integration: a refused body and an accepted one.
    _token_id, secret = make_token("intake")
    body = intake_body(**API_PERSON, date_of_birth=API_DOB.isoformat())
    body["case"]["narrative"] = WORDS["api narrative"]
    bad = json.loads(json.dumps(body))
    bad["person"]["date_of_birth"] = "1985-13-45"
    bad["person"]["email"] = f"{API_PERSON['surname_latin']} at nowhere"
    assert coordinator.post("/api/v1/intake", json=bad, headers=bearer(secret)).status_code == 422
    assert coordinator.post("/api/v1/intake", json=body, headers=bearer(secret)).status_code == 201

    export = coordinator.post(f"/cases/{case_id}/export", data={"csrf_token": _token(coordinator, f"/cases/{case_id}")})
    assert export.status_code == 200
    record = zipfile.ZipFile(io.BytesIO(export.data)).read("record.json").decode()
    assert PERSON["passport_number"] in record and WORDS["document name"] in record, "the export holds the person's data"
    assert export.headers["Cache-Control"] == "no-store", export.headers
    assert not hits_in_text(export.headers.get("Content-Disposition", "")), export.headers
    document_id = json.loads(record)["documents"][0]["file"].split("/")[1].split(".")[0]
    download = coordinator.get(f"/cases/{case_id}/documents/{document_id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Cache-Control"] == "no-store" and not hits_in_text(str(download.headers)), download.headers

    # A statistics release that counts these people.
    with app.app_context():
        db.session.execute(sa.update(Case).values(created_at=_closed_quarter_middle()))
        db.session.commit()
    period = stats_operations.closed_periods()[0]
    token = _token(coordinator, "/stats/")
    assert coordinator.post("/stats/request", data={"csrf_token": token, "period": period}).status_code == 302
    token = _token(admin, "/stats/")
    assert admin.post(f"/stats/releases/{period}/approve", data={"csrf_token": token}).status_code == 302
    assert admin.get(f"/stats/releases/{period}").status_code == 200
    for client in (volunteer, coordinator, admin):
        client.get("/")  # flashed messages shown
    return coordinator, case_id


def erase_everyone(app, coordinator) -> None:
    with app.app_context():
        case_ids = db.session.scalars(select(Case.id)).all()
    for case_id in case_ids:
        with app.app_context():
            if db.session.get(Case, case_id).person.erased:
                continue
        token = _token(coordinator, f"/cases/{case_id}")
        response = coordinator.post(f"/cases/{case_id}/erase", data={"csrf_token": token, "confirm": "erase"})
        assert response.status_code == 302
    coordinator.get("/cases/")


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"  {place}: {hits}" for place, hits in found.items())


@pytest.mark.parametrize("store_kind", ["sqlalchemy", "redis"])
def test_a_whole_story_leaves_no_plaintext_anywhere_before_or_after_erasure(
    app, signed_in, make_token, partner, log_buffer, recording, redis_store
):
    coordinator, _case_id = run_story(app, signed_in, make_token, partner)
    before = scan(app, log_buffer, redis_store)
    erase_everyone(app, coordinator)
    after = scan(app, log_buffer, redis_store)
    # The story's own debug records depend on what ran before it in the process (passlib's, say,
    # comes once): a library's record logged here says whether they would have reached the handler.
    logging.getLogger("flask_session").debug("a library's debug record")
    assert "DEBUG flask_session: a library's debug record" in log_buffer.getvalue(), "DEBUG records reach the handler"
    # The scan finds a canary put where it looks (in this database, this log, this Redis).
    with app.app_context():
        db.session.add(Partner(name=f"Control {PERSON['surname_latin']}"))
        db.session.commit()
        app.logger.debug("control %s", PERSON["passport_number"])
    if redis_store is not None:
        redis_store.set("control", PERSON["email"].encode())
    control = scan(app, log_buffer, redis_store)
    assert {"database", "log"} <= set(control) and (redis_store is None or "redis" in control), control
    assert not before and not after, f"plaintext found before erasure:\n{_report(before)}\nafter erasure:\n{_report(after)}"


def test_the_scan_would_find_each_kind_of_form():
    """The scan is only worth something if it finds what is there, in its usual forms."""
    assert hits_in_text("dob 14.09.1987") and hits_in_text("born 1987-09")
    assert hits_in_text("kvertanova")  # the skeleton both spellings of the surname share
    assert hits_in_text("tel 0687654329") and hits_in_text("31687654329")
    assert hits_in_bytes("Квертьянова".encode("utf-16-le")) and hits_in_bytes(b"kz7731946")
    assert not hits_in_text("Sokolov 1994-02-03 +79161234567")


# Imports and erasure ---------------------------------------------------------------------------

#: The columns of the contact list, as tests/test_import_run.py maps them (its last, "needs", left out).
IMPORT_FACTS = COLUMNS[:-1]
PERSON_ROW = [
    PERSON["surname_cyrillic"],
    PERSON["given_names_cyrillic"],
    PERSON["surname_latin"],
    PERSON["given_names_latin"],
    DOB.strftime("%d.%m.%Y"),
    "ж",
    PERSON["phone"],
    "reservist",
    "Грузия",
]


def _sheet(*rows) -> bytes:
    return "\n".join(";".join(row) for row in rows).encode("utf-8")


def _upload_and_map(app, client, content: bytes) -> str:
    """Upload, map every column by hand, let the dry run's job run; the run's id."""
    token = _token(client, "/imports/")
    response = client.post(
        "/imports/", data={"csrf_token": token, "upload": (io.BytesIO(content), "list.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    columns_url = response.headers["Location"]
    run_id = columns_url.split("/")[-2]
    page = client.get(columns_url).get_data(as_text=True)
    mapping = {f"column_{index}": fact for index, fact in enumerate(IMPORT_FACTS)}
    response = client.post(columns_url, data={"csrf_token": csrf_from(page), **mapping})
    assert response.status_code == 302 and response.headers["Location"].endswith("/check"), response.get_data(as_text=True)[:1500]
    with app.app_context():
        assert jobs.run_queued() == 1
    return run_id


def test_erasure_leaves_nothing_of_the_person_readable_in_an_unfinished_import(app, signed_in):
    """S6: after erasure no copy of the person's data decrypts. A coordinator has uploaded a contact
    list that holds the person and checked it (the dry run's report names them); before the run is
    imported, abandoned or expires (24 hours by default), the person asks to be erased."""
    coordinator, _user = signed_in("coordinator")
    case_id = _case_id(_post_intake(coordinator))
    headers = ["Фамилия", "Имя", "Surname", "Given names", "Дата рождения", "Пол", "Телефон", "Военный статус", "Где сейчас"]
    run_id = _upload_and_map(app, coordinator, _sheet(headers, PERSON_ROW))
    check = coordinator.get(f"/imports/{run_id}/check").get_data(as_text=True)
    assert PERSON["surname_latin"] in check, "the dry run shows the person's row"

    token = _token(coordinator, f"/cases/{case_id}")
    assert coordinator.post(f"/cases/{case_id}/erase", data={"csrf_token": token, "confirm": "erase"}).status_code == 302

    with app.app_context():
        run = db.session.get(ImportRun, run_id)
        readable = b""
        if run.wrapped_key is not None:
            readable = sealing.read_file(run) + json.dumps(sealing.report(run), ensure_ascii=False).encode()
    shown = coordinator.get(f"/imports/{run_id}/check")
    labels = lambda hits: sorted({hit.split(" (")[0] for hit in hits} - {"document name"})  # noqa: E731
    found = {
        "the run's sealed file and dry-run report, decrypted with the run key the KEK unwraps": labels(hits_in_bytes(readable)),
        f"the check page (status {shown.status_code})": labels(hits_in_text(shown.get_data(as_text=True))),
    }
    found = {place: hits for place, hits in found.items() if hits}
    assert found == {}, f"after erasure, the unfinished import run still holds the erased person's data: {found}"


def test_a_sheet_without_a_header_row_leaves_no_unkeyed_hash_of_a_persons_row(app, signed_in):
    """A contact list saved without a header row: its first row, a person's data, is taken for the
    header. The layout is kept under an unkeyed SHA-256 of that row, in the database for good
    (after the run is abandoned and the person erased): whoever holds a copy and a guess of the
    row (a name, a date of birth, a phone number as such lists write them) can confirm it."""
    coordinator, _user = signed_in("coordinator")
    case_id = _case_id(_post_intake(coordinator))
    other = ["Другов", "Иван", "Drugov", "Ivan", "01.01.1990", "м", "+79260000001", "reservist", "Грузия"]
    run_id = _upload_and_map(app, coordinator, _sheet(PERSON_ROW, other))
    token = _token(coordinator, f"/imports/{run_id}/check")
    assert coordinator.post(f"/imports/{run_id}/abandon", data={"csrf_token": token}).status_code == 302
    token = _token(coordinator, f"/cases/{case_id}")
    assert coordinator.post(f"/cases/{case_id}/erase", data={"csrf_token": token, "confirm": "erase"}).status_code == 302
    with app.app_context():
        stored = set(db.session.scalars(select(ImportLayout.header_hash)))
    # What whoever holds a copy computes from a guessed row, with no key: the digest layouts used to keep.
    guessed = hashlib.sha256("\x1f".join(facts.normal(cell) for cell in PERSON_ROW).encode()).hexdigest()
    assert guessed not in stored, (
        "import_layouts.header_hash is sha256 of the erased person's row (surname, given names, date of birth, phone), "
        f"computable without any key: {guessed}"
    )


# Deadlines, counted day by day ----------------------------------------------------------------


@pytest.fixture
def calendar(monkeypatch):
    """`calendar.day = date(...)`: the app's today, for the clock and the views that imported it."""

    class Calendar:
        day = date.today()

    from casework import clock

    monkeypatch.setattr(clock, "today", lambda: Calendar.day)
    monkeypatch.setattr("casework.cases.routes.today", lambda: Calendar.day)
    monkeypatch.setattr("casework.main.routes.today", lambda: Calendar.day)
    return Calendar


def _case_whose_only_deadlines_come_from_the_permit(create_case, volunteer, expiry: date) -> str:
    """A student's case, no date of birth: its deadlines are the extension window (3 months before the
    permit expires) and the expiry, both computed from the encrypted expiry date."""
    return create_case(by=volunteer, date_of_birth=None, dutch_status="student", permit_expires_on=expiry)


def test_the_audit_trail_of_due_list_views_does_not_date_a_deadline(app, signed_in, create_case, calendar, runner):
    """S20 for the audit trail: a volunteer opens "Due soon" every morning; each view's audit row
    (`deadlines_viewed`) keeps the number of deadlines shown. The list shows each kind from a fixed
    horizon (90 days for the extension window), with none of the bands' secret offsets, so the first
    row whose count goes up, in a single copy of the database, dates the deadline to the day."""
    start = date.today()
    expiry = start + timedelta(days=200)
    window_opens = expiry - relativedelta(months=3)
    client, volunteer = signed_in("volunteer")
    _case_whose_only_deadlines_come_from_the_permit(create_case, volunteer, expiry)
    first_shown = window_opens - timedelta(days=HORIZON_DAYS["extension_window"])
    days = [first_shown + timedelta(days=offset) for offset in range(-4, 4)]
    for day in days:
        calendar.day = day
        assert runner.invoke(args=["deadlines", "refresh"]).exit_code == 0
        assert client.get("/cases/due").status_code == 200
    with app.app_context():
        details = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "deadlines_viewed").order_by(AuditEvent.seq)
        ).all()
    counts = dict(zip(days, details, strict=True))
    rises = [day for previous, day in zip(days, days[1:], strict=False) if counts[day] != counts[previous]]
    dated = [day + timedelta(days=HORIZON_DAYS["extension_window"]) + relativedelta(months=3) for day in rises]
    assert expiry not in dated, (
        f"audit_events.detail of deadlines_viewed goes {[counts[day] for day in days]} on consecutive days: the day it "
        f"changes ({rises}) plus the 90-day horizon plus 3 months is the encrypted permit expiry {expiry}"
    )


def test_what_the_daily_timer_writes_to_the_journal_does_not_date_a_deadline(app, signed_in, create_case, calendar, runner):
    """casework-deadlines.service runs every morning and its output goes to the journal. Run what the
    unit runs, day after day around the day a volunteer's only case enters the warning window (where
    `deadlines digest` would first print a line for them, a deadline less 14 days): the journal must
    read the same every day."""
    start = date.today()
    expiry = start + timedelta(days=200)
    window_opens = expiry - relativedelta(months=3)
    _client, volunteer = signed_in("volunteer")
    _case_whose_only_deadlines_come_from_the_permit(create_case, volunteer, expiry)
    warning = app.config["CASEWORK_WARNING_DAYS"]
    scheduled = [words for unit, words in _flask_commands() if unit == "casework-deadlines.service"]
    assert ["deadlines", "refresh"] in scheduled
    journal = {}
    for offset in range(3, -3, -1):
        calendar.day = window_opens - timedelta(days=warning + offset)
        outputs = []
        for words in scheduled:
            result = runner.invoke(args=words)
            assert result.exit_code == 0, result.output
            outputs.append(result.output)
        journal[calendar.day] = outputs
    assert len({tuple(outputs) for outputs in journal.values()}) == 1, (
        f"the timer's output changes from day to day, dating a deadline kept encrypted: {journal}"
    )


def test_list_views_keep_no_count_in_the_trail(app, signed_in, create_case):
    """The same for the case list, whose "Deadline within N days" a volunteer may set to any N (its
    count, N after N, would date each deadline), and the home page's next deadlines."""
    client, volunteer = signed_in("volunteer")
    _case_whose_only_deadlines_come_from_the_permit(create_case, volunteer, date.today() + timedelta(days=40))
    for url in ("/", "/cases/", "/cases/?window=30", "/cases/?window=60", "/cases/due"):
        assert client.get(url).status_code == 200, url
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.detail).where(AuditEvent.action.in_(["case_list_viewed", "deadlines_viewed"]))
        ).all()
    assert {action for action, _detail in rows} == {"case_list_viewed", "deadlines_viewed"}
    assert [detail for _action, detail in rows if detail is not None] == []
