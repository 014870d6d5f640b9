"""Uploads never reach the server's disk in plaintext (S2): Werkzeug would spool any upload over
500 KB to a temporary file while reading the request, before the app encrypts it."""

import io

import pytest
from werkzeug import formparser

from tests.test_cases_workflow import PNG, token


@pytest.fixture
def spooled(monkeypatch):
    """Every temporary file Werkzeug makes for an upload, as it is made."""
    made = []

    class Recording(formparser.SpooledTemporaryFile):
        def __init__(self, *args, **kwargs):
            made.append(kwargs.get("max_size"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(formparser, "SpooledTemporaryFile", Recording)
    return made


def test_a_large_document_is_read_in_memory_and_stored_sealed(app, signed_in, create_case, spooled):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, assignee=volunteer)
    scan = PNG + b"passport page " * 50_000  # 700 KB, past Werkzeug's 500 KB spooling threshold
    response = client.post(
        f"/cases/{case_id}/documents",
        data={"csrf_token": token(client, f"/cases/{case_id}"), "upload": (io.BytesIO(scan), "passport.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert spooled == [], "the upload went through a temporary file"


def test_a_large_spreadsheet_is_read_in_memory(app, signed_in, spooled):
    client, _coordinator = signed_in("coordinator")
    rows = "".join(f"Petrov{n};Ivan;01.02.1990\n" for n in range(30_000))
    sheet = ("Фамилия;Имя;Дата рождения\n" + rows).encode()
    assert len(sheet) > 600_000
    client.post(
        "/imports/",
        data={"csrf_token": token(client, "/imports/"), "upload": (io.BytesIO(sheet), "people.csv")},
        content_type="multipart/form-data",
    )
    assert spooled == [], "the upload went through a temporary file"
