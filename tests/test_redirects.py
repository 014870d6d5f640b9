"""The language switch sends the browser back where it came from, and never to another site."""

from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import csrf

ATTACKS = [
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "\t//evil.example",
    " //evil.example",
    "\x00//evil.example",
    "/\x00/evil.example",
    "/\x1f/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "\\/evil.example",
    "https://evil.example/",
    "http://evil.example",
    "HTTPS://evil.example",
    "https:evil.example",
    "https:/evil.example",
    "//evil.example@localhost",
    "http://localhost@evil.example/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<p>hi</p>",
    "evil.example",
    "%2F%2Fevil.example",
    "/cases/\nSet-Cookie: stolen=1",
    "/cases/\r\nLocation: https://evil.example",
    "/\u2028/evil.example",
    "/\u3000/evil.example",
    "/\ufeff/evil.example",
]


def _switch(client, target: str):
    return client.post("/language", data={"locale": "nl", "next": target, "csrf_token": csrf(client)})


@pytest.mark.parametrize("target", ATTACKS, ids=repr)
def test_next_never_leaves_the_site(client, target):
    response = _switch(client, target)
    if "\x00" in target:
        assert response.status_code == 400, "a NUL character is refused before any view runs"
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/", f"{target!r} was followed to {location!r}"


@pytest.mark.parametrize(
    "target", ["/", "/cases/", "/cases/?status=all&page=2", "/%2F%2Fevil.example", "/%0a/evil.example", "/stats/?lang=uk"]
)
def test_next_within_the_site_is_followed(client, target):
    response = _switch(client, target)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == target
    assert urlsplit(urljoin("http://localhost/language", location)).netloc == "localhost"
