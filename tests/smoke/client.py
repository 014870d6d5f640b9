"""The production smoke test's browser: drives a running Casework over HTTP as a new coordinator would.

Run by tests/smoke/run.sh against gunicorn: sets the password from the one-time setup link, enrols
an authenticator, signs out and in again with password and code, logs a case, opens it, finds it
by phone, attaches a document, checks /healthz. Only the standard library and passlib (which Flask-Security installs).

With `--tls` it speaks HTTPS to nginx configured from deploy/proxy/nginx.conf, as a browser would
(the certificate is the test's own, so it is not verified). Without, it talks to gunicorn directly
and sends the headers the proxy would add (X-Forwarded-Proto: https, with CASEWORK_TRUSTED_PROXIES=1).
Cookies are kept by hand: the session cookie is `__Host-` and Secure, and a cookie jar would not send
it over the direct plain-http connection.
"""

import argparse
import html
import http.client
import re
import ssl
import sys
import time
import urllib.parse
import uuid
from datetime import date, timedelta

from passlib.totp import TOTP

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Host": "casework.smoke.test"}

#: An invented person; run.sh checks that none of these values reaches the server's logs.
INTAKE = {
    "consent_store": "y",
    "consent_contact": "y",
    "consent_method": "telegram",
    "surname_latin": "Smokeinov",
    "given_names_latin": "Pavel",
    "surname_cyrillic": "Смокеинов",
    "given_names_cyrillic": "Павел",
    "date_of_birth": "1991-05-17",
    "sex": "M",
    "phone": "+79161230077",
    "telegram": "@psmokeinov",
    "location": "netherlands",
    "military_situation": "reservist",
    "rank_group": "soldier",
    "dutch_status": "schengen_visa",
    "permit_expires_on": (date.today() + timedelta(days=10)).isoformat(),
    "needs": ["legal_advice", "stay_extension"],
    "narrative": "Received a mobilisation summons in October.",
}


#: A PNG by its signature, which is what the upload check reads.
DOCUMENT = b"\x89PNG\r\n\x1a\n" + bytes(range(200))


class SmokeFailure(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


class Browser:
    """Requests with the proxy's headers and a session cookie kept by hand; redirects are not followed."""

    def __init__(self, port: int, tls: bool = False):
        self.port = port
        self.tls = tls
        self.cookies: dict[str, str] = {}
        self.cookie_attributes: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict | None = None, upload: tuple[str, str, bytes] | None = None
    ) -> tuple[int, dict, str]:
        headers = {"Host": "casework.example.org"} if self.tls else dict(PROXY_HEADERS)
        body = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if upload is not None:
            body, headers["Content-Type"] = multipart(form or {}, *upload)
        elif form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.tls:
            connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30, context=ssl._create_unverified_context())  # noqa: S323  (the test's own certificate)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    self._keep(value)
            return response.status, {name.lower(): value for name, value in response.getheaders()}, text
        finally:
            connection.close()

    def _keep(self, header: str) -> None:
        pair, _, attributes = header.partition(";")
        name, _, value = pair.strip().partition("=")
        if "max-age=0" in attributes.lower() or "expires=thu, 01 jan 1970" in attributes.lower():
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value
            self.cookie_attributes[name] = attributes

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form: dict):
        return self.request("POST", path, form)

    def csrf(self, path: str) -> str:
        status, _, page = self.get(path)
        check(status == 200, f"GET {path} answered {status}")
        return csrf_from(page)


def multipart(fields: dict, name: str, filename: str, content: bytes) -> tuple[bytes, str]:
    """A form with one file, encoded as a browser sends it."""
    boundary = f"smoke{uuid.uuid4().hex}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def csrf_from(page: str) -> str:
    match = CSRF.search(page)
    check(match is not None, "the page has no CSRF token")
    return match.group(1) or match.group(2)


def errors_in(page: str) -> str:
    """The messages a refused form shows, for the failure report."""
    found = re.findall(r'class="[^"]*(?:error|flash)[^"]*"[^>]*>(.*?)<', page, re.S)
    return "; ".join(html.unescape(text).strip() for text in found if text.strip()) or "no message on the page"


def code_for(key: str, steps_ahead: int = 0) -> str:
    return TOTP(key=key, format="base32").generate(time.time() + 30 * steps_ahead).token


def step(message: str) -> None:
    print(f"smoke: {message}", flush=True)


def set_password_and_enrol(browser: Browser, setup_path: str, email: str, password: str) -> str:
    """The first sign-in of an account made by `flask users create`; returns the authenticator key."""
    token = browser.csrf(setup_path)
    status, headers, _ = browser.post(setup_path, {"password": password, "password_confirm": password, "csrf_token": token})
    check(status == 302, f"setting the password answered {status}")
    step("password set from the one-time setup link")
    if "/tf-setup" not in headers.get("location", ""):
        # Not taken straight on to enrolment: sign in, which must lead there before anything else.
        status, headers, page = browser.post(
            "/login", {"email": email, "password": password, "csrf_token": browser.csrf("/login")}
        )
        check(
            status == 302 and "/tf-setup" in headers.get("location", ""),
            f"a new account must enrol first (got {status}: {errors_in(page)})",
        )
    status, headers, _ = browser.get("/")
    where = urllib.parse.urlsplit(headers.get("location", "")).path
    check(
        status == 302 and where in ("/tf-setup", "/login"),
        f"before enrolment the home page must send us to enrol, not to {where}",
    )
    token = browser.csrf("/tf-setup")
    status, _, page = browser.post("/tf-setup", {"setup": "authenticator", "csrf_token": token})
    check(status == 200, f"choosing the authenticator answered {status}")
    check('src="data:image/svg+xml;base64,' in page, "the enrolment page shows no QR code")
    key = re.search(r'<code class="key">([A-Z2-7-]+)</code>', page).group(1).replace("-", "")
    status, _, _ = browser.post("/tf-validate", {"code": code_for(key), "csrf_token": csrf_from(page)})
    check(status == 302, f"the first code answered {status}")
    step("authenticator enrolled")
    return key


def check_session_cookie(browser: Browser) -> None:
    name = next((name for name in browser.cookies if name.startswith("__Host-")), None)
    check(name is not None, f"no __Host- session cookie in production (cookies: {sorted(browser.cookies)})")
    attributes = browser.cookie_attributes[name].lower()
    for flag in ("secure", "httponly", "path=/", "samesite=strict"):
        check(flag in attributes, f"the session cookie lacks {flag}")
    check("domain=" not in attributes, "a __Host- cookie names no domain")


def sign_out_and_in(browser: Browser, email: str, password: str, key: str) -> None:
    token = browser.csrf("/")
    status, _, _ = browser.post("/logout", {"csrf_token": token})
    check(status == 302, f"signing out answered {status}")
    status, headers, _ = browser.get("/")
    check(status == 302 and "/login" in headers.get("location", ""), "still signed in after signing out")
    status, headers, _ = browser.post("/login", {"email": email, "password": password, "csrf_token": browser.csrf("/login")})
    check(status == 302 and "/tf-validate" in headers.get("location", ""), f"the password step answered {status}")
    token = browser.csrf(urllib.parse.urlsplit(headers["location"]).path)
    # The enrolment used this time step's code, and each code works once: the authenticator's next one.
    status, _, _ = browser.post("/tf-validate", {"code": code_for(key, steps_ahead=1), "csrf_token": token})
    check(status == 302, f"the code step answered {status}")
    status, _, page = browser.get("/")
    check(status == 200 and email in page, "the home page after signing in does not name the account")
    step("signed out, then in again with password and code")


def log_a_case(browser: Browser) -> str:
    token = browser.csrf("/cases/new")
    status, headers, page = browser.post("/cases/new", {**INTAKE, "csrf_token": token})
    check(status == 302, f"the intake answered {status}: {html.unescape(page)[:300]}")
    match = re.search(r"/cases/([0-9a-f-]{36})$", headers.get("location", ""))
    check(match is not None, f"the intake sent us to {headers.get('location')}")
    step("intake logged")
    return match.group(1)


def open_and_find(browser: Browser, case_id: str) -> None:
    status, _, page = browser.get(f"/cases/{case_id}")
    check(status == 200, f"the case page answered {status}")
    check(INTAKE["surname_latin"] in html.unescape(page), "the case page does not show the decrypted name")
    status, _, page = browser.get("/cases/")
    check(status == 200 and case_id in page, "the case list does not link the new case")
    token = browser.csrf("/cases/search")
    status, _, page = browser.post("/cases/search", {"field": "phone", "value": INTAKE["phone"], "csrf_token": token})
    check(status == 200 and case_id in page, "a search by phone does not find the new case")
    step("case page, case list and search by phone")


def attach_a_document(browser: Browser, case_id: str) -> None:
    """A document, so that the backup has an encrypted file to copy and the drill one to decrypt."""
    token = browser.csrf(f"/cases/{case_id}")
    status, _, page = browser.request(
        "POST", f"/cases/{case_id}/documents", {"csrf_token": token}, upload=("upload", "summons.png", DOCUMENT)
    )
    check(status == 302, f"the upload answered {status}: {errors_in(page)}")
    step("document attached")


def check_health(browser: Browser) -> None:
    status, headers, _ = browser.get("/healthz")
    check(status == 204, f"/healthz answered {status}")
    check("set-cookie" not in headers, "/healthz must not start a session")
    step("/healthz 204 without a session")


def check_errors(browser: Browser) -> None:
    status, headers, page = browser.get("/cases/00000000-0000-0000-0000-000000000000")
    check(status == 404, f"an unknown case answered {status}")
    check("strict-transport-security" in headers, "no HSTS header in production")
    step("an unknown case gets 404; HSTS")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tls", action="store_true", help="the port is nginx's HTTPS port")
    parser.add_argument("--setup-path", required=True, help="the /reset/... path printed by `flask users create`")
    parser.add_argument("--email", required=True)
    args = parser.parse_args()
    password = "smoke test coordinator passphrase 7f3a"
    browser = Browser(args.port, args.tls)
    try:
        key = set_password_and_enrol(browser, args.setup_path, args.email, password)
        check_session_cookie(browser)
        sign_out_and_in(browser, args.email, password, key)
        case_id = log_a_case(browser)
        open_and_find(browser, case_id)
        attach_a_document(browser, case_id)
        check_errors(browser)
        check_health(Browser(args.port, args.tls))
    except SmokeFailure as failure:
        print(f"smoke: FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
