"""An upload over the size limit is answered on the case page, in the reader's language, with the
limit stated on the form beforehand and nothing else of the case lost."""

import io
import re

from tests.test_cases_workflow import PNG, page_text, token


def _post_file(client, case_id, size, headers=None):
    data = {"csrf_token": token(client, f"/cases/{case_id}"), "upload": (io.BytesIO(PNG + bytes(size)), "scan.png")}
    return client.post(f"/cases/{case_id}/documents", data=data, content_type="multipart/form-data", headers=headers or {})


def test_the_limit_is_stated_on_the_form(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, assignee=volunteer)
    assert "PDF, JPEG or PNG, at most 10 MB." in page_text(client.get(f"/cases/{case_id}"))


def test_a_20_mb_upload_is_answered_on_the_case_page(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, assignee=volunteer)
    response = _post_file(client, case_id, 20 * 1024 * 1024)
    assert response.status_code == 413
    page = page_text(response)
    errors = re.search(r'<ul class="errors" id="upload-errors">(.*?)</ul>', page, re.S)
    assert errors and "larger than the limit of 10 MB" in errors.group(1)
    assert "Sokolov" in page and "Received a mobilisation summons in October." in page, "the case is shown around the message"


def test_an_upload_between_the_limits_is_refused_the_same_way(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, assignee=volunteer)
    response = _post_file(client, case_id, 11 * 1024 * 1024)
    assert response.status_code == 400
    assert "larger than the limit of 10 MB" in page_text(response)


def test_an_oversized_upload_to_someone_elses_case_reveals_nothing(app, signed_in, make_user, create_case):
    owner = make_user("volunteer")
    case_id = create_case(by=owner, assignee=owner)
    client, _other = signed_in("volunteer")
    response = _post_file(client, case_id, 20 * 1024 * 1024)
    assert response.status_code == 404
    assert "Sokolov" not in page_text(response)


def test_the_oversize_message_is_in_the_readers_language(app, signed_in, create_case):
    client, volunteer = signed_in("volunteer")
    case_id = create_case(by=volunteer, assignee=volunteer)
    page = page_text(_post_file(client, case_id, 20 * 1024 * 1024, headers={"Accept-Language": "ru"}))
    errors = re.search(r'<ul class="errors" id="upload-errors">(.*?)</ul>', page, re.S)
    assert 'lang="ru"' in page and errors and "10" in errors.group(1)
    assert "larger than the limit" not in errors.group(1)
