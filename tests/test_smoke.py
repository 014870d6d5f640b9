from tests.conftest import sign_in


def test_sign_in_flow(app, client, make_user):
    user = make_user("admin")
    response = sign_in(client, app, user)
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert b"Administrator" in page.data
