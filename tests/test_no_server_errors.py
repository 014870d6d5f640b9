"""No value a client can send gives a 500: every route of the URL map, as every role.

The forms each role is shown are read from the pages themselves, so a new field or route is covered
without touching this file. Three passes per role:

- every query parameter of every GET route at once, set to values past any sensible bound;
- every field of every form on its own, with the others as a valid submission would have them, set
  to the out-of-range values that fit its type (a date in the year 9999, a 30-digit number...);
- hypothesis-generated values in a few fields of every form and in the query string at once.

A refusal (400, 404, 409, 429) or a form shown again with a message is fine; a 500 is not.
"""

from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.cases import operations as case_operations
from casework.extensions import db
from casework.models import Case, User
from casework.people.documents import store_document
from casework.rules import engine
from casework.stats import operations as stats_operations
from tests.conftest import csrf_from, sign_in
from tests.factories import INTAKE
from tests.routes import build

ROLES = ["anonymous", "volunteer", "coordinator", "advocate", "admin"]

#: Ends the session the rest of the run needs; its only input is the CSRF token.
SKIPPED = {"security.logout", "static", "security.static"}
#: The second-factor steps restart a signed-in session; the anonymous pass covers them.
SIGN_IN_STEPS = {"security.two_factor_token_validation", "security.two_factor_setup", "security.two_factor_setup_validate"}
#: Run last: they take the sample case's data away.
LAST = ("cases.erase", "cases.withdraw_consent")

THIRTY_DIGITS = "9" * 30
PAST_ANY_BOUND = [THIRTY_DIGITS, "-" + THIRTY_DIGITS, "9999-12-31", "0001-01-01", "1e309", "\x00", "x" * 5000]
BY_TYPE = {
    "date": ["9999-12-31", "0001-01-01", "2026-02-30", "10000-01-01"],
    "number": [THIRTY_DIGITS, "-" + THIRTY_DIGITS, "1e309"],
    "select": [THIRTY_DIGITS, "\x00"],
    "hidden": [THIRTY_DIGITS, "-1"],
    "text": [THIRTY_DIGITS, "\x00"],
}
#: Values for the variables in a URL, by converter: past any id, NUL, long, a path outside.
NASTY_URL_VALUES = [
    {"integer": 10**30, "default": THIRTY_DIGITS},
    {"integer": 2**31, "default": "\x00"},
    {"integer": 0, "default": "x" * 300},
    {"integer": 1, "default": "..%2F..%2Fkeys.json"},
]
#: Query parameters the views read; those in GET forms are added from the pages.
KNOWN_QUERY_PARAMETERS = {
    "page",
    "days",
    "window",
    "assignee",
    "actor",
    "from",
    "to",
    "case",
    "action",
    "flagged",
    "next",
    "lang",
}

NASTY = st.sampled_from(
    PAST_ANY_BOUND
    + [
        "",
        "0",
        "-1",
        "nan",
        "inf",
        "0000-00-00",
        "2026Q5",
        "99999Q1",
        "1899-12-31",
        "2101-01-01",
        "%",
        "' OR 1=1 --",
        "Иванов",
        "\t\n\r",
    ]
)
VALUES = st.one_of(
    NASTY,
    st.integers().map(str),
    st.dates().map(date.isoformat),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40),
)
FUZZ = settings(max_examples=4, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))


class _Forms(HTMLParser):
    """The forms of a page: action, method and each field's name, type and current value."""

    def __init__(self):
        super().__init__()
        self.forms, self._select = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(), "fields": {}}
            )
        elif not self.forms or "name" not in attrs:
            if tag == "option" and self._select and ("selected" in attrs or self._select[1] is None):
                self._select[1] = attrs.get("value", "")
                self.forms[-1]["fields"][self._select[0]] = ("select", self._select[1])
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                self.forms[-1]["fields"].setdefault(attrs["name"], (kind, None))
            elif kind != "submit":
                self.forms[-1]["fields"][attrs["name"]] = (kind, attrs.get("value", ""))
        elif tag == "select":
            self._select = [attrs["name"], None]
            self.forms[-1]["fields"][attrs["name"]] = ("select", "")
        elif tag == "textarea":
            self.forms[-1]["fields"][attrs["name"]] = ("text", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _kind(field_type: str) -> str:
    return {"date": "date", "number": "number", "hidden": "hidden", "select": "select"}.get(field_type, "text")


@pytest.fixture
def world(app, make_user, create_case, partner):
    """One of everything a URL can name: a case with a document, a note and a tag, a published release."""
    staff = {role: make_user(role) for role in ROLES[1:]}
    case_id = create_case(by=staff["coordinator"], assignee=staff["volunteer"], consent_partners=[partner])
    with app.app_context():
        case = db.session.get(Case, case_id)
        actor = db.session.get(User, staff["coordinator"].id)
        document = store_document(case.person, "scan.pdf", b"%PDF-1.7\nsample\n%%EOF")
        document.case_id, document.uploaded_by_id = case.id, actor.id
        document_id = document.id
        case_operations.add_note(case, "A first note.", actor)
        period = stats_operations.closed_periods()[0]
        stats_operations.publish(stats_operations.request_release(period, None), None)
        db.session.commit()
    values = {
        "case_id": case_id,
        "document_id": document_id,
        "rule_id": engine.rules()[0].id,
        "user_id": staff["volunteer"].id,
        "partner_id": partner,
        "period": period,
        "table_id": "age_band",
        "token": "sample",
        "filename": "casework.css",
    }
    return staff, values


def _client(app, role, staff):
    client = app.test_client()
    if role != "anonymous":
        assert sign_in(client, app, staff[role]).status_code == 302
    return client


def _converter(rule, name: str) -> str:
    return "integer" if type(rule._converters[name]).__name__ == "IntegerConverter" else "default"  # noqa: SLF001


def _targets(app, values, role):
    skipped = SKIPPED if role == "anonymous" else SKIPPED | SIGN_IN_STEPS
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint not in skipped]
    rules.sort(key=lambda rule: (rule.endpoint in LAST, rule.rule))
    return [(rule, build(app, rule, **{name: values[name] for name in rule.arguments if name in values})) for rule in rules]


class ServerErrors(dict):
    """The first value that gave a 500, per method and route: all of them are reported at the end."""

    def check(self, response, method, rule, sent) -> None:
        if response.status_code == 500:
            self.setdefault(f"{method} {rule.rule}", sent)


def _crawl(client, targets, errors):
    """Every form shown by every page this client can open, keyed by where it is sent."""
    forms, query_names = {}, set(KNOWN_QUERY_PARAMETERS)
    for rule, url in targets:
        if "GET" not in rule.methods:
            continue
        response = client.get(url)
        errors.check(response, "GET", rule, {})
        if response.mimetype != "text/html":
            continue
        for form in forms_of(response.get_data(as_text=True)):
            action = urlsplit(form["action"]).path or urlsplit(url).path
            if form["method"] == "get":
                query_names |= set(form["fields"])
            else:
                forms.setdefault(action, {}).update(form["fields"])
    return forms, sorted(query_names)


def _token(client, role) -> str:
    return csrf_from(client.get("/login" if role == "anonymous" else "/change").get_data(as_text=True))


def _baseline(fields: dict, path: str) -> dict:
    """What a person filling in the form would send: the page's values, and a valid intake."""
    sent = {name: value for name, (_kind_, value) in fields.items() if value is not None}
    if path.endswith("/cases/new"):
        sent |= {
            key: value.isoformat() if isinstance(value, date) else value
            for key, value in INTAKE.items()
            if not isinstance(value, list)
        }
        sent |= {"consent_store": "y", "consent_contact": "y", "needs": "legal_advice"}
    return sent


@pytest.mark.parametrize("role", ROLES)
def test_no_value_gives_a_server_error(app, world, role):
    staff, values = world
    app.config["CASEWORK_VOLUNTEER_VIEWS_PER_HOUR"] = 10**6  # the read budget refuses politely; keep every route reachable
    client, errors = _client(app, role, staff), ServerErrors()
    targets = _targets(app, values, role)
    forms, query_names = _crawl(client, targets, errors)
    token = _token(client, role)

    for rule, url in targets:
        if "GET" in rule.methods:
            for value in PAST_ANY_BOUND:
                sent = dict.fromkeys(query_names, value)
                errors.check(client.get(url, query_string=sent), "GET", rule, sent)

    for rule, _url in targets:
        for nasty in NASTY_URL_VALUES:
            url = build(app, rule, **{name: nasty[_converter(rule, name)] for name in rule.arguments})
            for method in sorted(rule.methods & {"GET", "POST"}):
                errors.check(client.open(url, method=method, data={"csrf_token": token}), method, rule, url)

    for rule, url in targets:
        if "POST" not in rule.methods:
            continue
        fields = forms.get(urlsplit(url).path, {})
        baseline = {**_baseline(fields, url), "csrf_token": token}
        for name, (field_type, _value) in fields.items():
            for value in BY_TYPE[_kind(field_type)] if name != "csrf_token" else ():
                sent = {**baseline, name: value}
                errors.check(client.post(url, data=sent), "POST", rule, sent)

    for rule, url in targets:
        names = sorted(set(forms.get(urlsplit(url).path, {})) - {"csrf_token"}) or query_names
        _fuzz(client, rule, url, names, {**_baseline(forms.get(urlsplit(url).path, {}), url), "csrf_token": token}, errors)

    assert not errors, f"{len(errors)} routes answered 500 as {role}: {errors!r}"


def _fuzz(client, rule, url, names, baseline, errors):
    """A few hypothesis-drawn values in a few fields at once, and in the query string."""

    @FUZZ
    @given(
        chosen=st.dictionaries(st.sampled_from(names), VALUES, min_size=1, max_size=4),
        query=st.dictionaries(st.sampled_from(names), VALUES, max_size=3),
    )
    def send(chosen, query):
        if "GET" in rule.methods:
            errors.check(client.get(url, query_string=chosen), "GET", rule, chosen)
        if "POST" in rule.methods:
            errors.check(client.post(url, query_string=query, data={**baseline, **chosen}), "POST", rule, chosen)

    send()


# The findings that started this file, each on its own.


def _intake(**changes) -> dict:
    sent = {
        key: value.isoformat() if isinstance(value, date) else value
        for key, value in INTAKE.items()
        if not isinstance(value, list)
    }
    return {**sent, "consent_store": "y", "consent_contact": "y", "needs": "legal_advice", **changes}


@pytest.mark.parametrize(
    "field", ["summons_appear_on", "degree_completed_on", "permit_expires_on", "date_of_birth", "deferral_until"]
)
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_an_out_of_range_date_is_a_message_that_keeps_the_input(app, signed_in, field, value):
    client, _volunteer = signed_in("volunteer")
    token = csrf_from(client.get("/cases/new").get_data(as_text=True))
    response = client.post("/cases/new", data={**_intake(**{field: value}), "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code != 500
    assert "Enter a date between 1900-01-01 and 2100-12-31." in page or "Check the year." in page or "in the future" in page
    assert f'value="{value}"' in page, "what was typed is shown again"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Case)) == 0


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("coordinator", f"/cases/?page={THIRTY_DIGITS}"),
        ("coordinator", f"/cases/?assignee={THIRTY_DIGITS}"),
        ("volunteer", f"/cases/?page=-{THIRTY_DIGITS}"),
        ("coordinator", f"/cases/due?days={THIRTY_DIGITS}"),
        ("admin", "/audit/?from=9999-12-31"),
        ("admin", "/audit/?to=9999-12-31"),
        ("admin", f"/audit/?actor={THIRTY_DIGITS}"),
        ("admin", f"/audit/?page={THIRTY_DIGITS}"),
    ],
)
def test_an_out_of_range_query_value_is_left_out(signed_in, role, url):
    client, _user = signed_in(role)
    response = client.get(url)
    assert response.status_code == 200, url
