"""An intake request's body, checked twice: its shape by the marshmallow schema, then its values by
the very intake form volunteers fill in (CSRF off: a token, not a cookie, stands behind the request).

The form's validators, choices and cross-checks are the rules; feeding the JSON through the form
means the API takes exactly what the form takes. Errors come back as JSON pointers into the body,
with the form's translated messages, and never repeat a value that was sent.
"""

from datetime import date, datetime, timedelta, timezone

from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from casework import clock
from casework.api.schemas import UNKNOWN, CaseSchema, IntakeSchema
from casework.cases.consent_origin import CHANNEL_METHOD
from casework.cases.forms import IntakeForm
from casework.i18n import _l

#: How far ahead of the server's clock a channel's clock may run.
CLOCK_SKEW = timedelta(minutes=5)
#: A request sent more than this long after the person agreed is refused: the channel should have
#: sent it at once, and consent that old should be asked again.
OLDEST_CONSENT = timedelta(days=30)

#: Where each form field sits in the JSON body.
POINTERS = {
    "consent_contact": "/consent/contact",
    **{name: f"/case/{name}" for name in CaseSchema().fields},
}


class InvalidIntake(Exception):
    def __init__(self, errors: list[dict]) -> None:
        super().__init__("invalid intake")
        self.errors = errors


def _first(messages):
    """marshmallow keeps a translated (lazy) message as it is, and a list of plain ones."""
    return messages[0] if isinstance(messages, list) else messages


def _pointers(messages: dict, schema, at: str = "") -> list[dict]:
    """marshmallow's nested messages as (pointer, detail); an unknown field is reported at its parent,
    without its name, which could be anything the caller sent."""
    found = []
    for key, value in messages.items():
        if key == "_schema" or (isinstance(key, str) and key not in schema.fields):
            detail = UNKNOWN if isinstance(key, str) and key != "_schema" else _first(value)
            found.append({"pointer": at or "/", "detail": detail})
            continue
        field = schema.fields[key] if isinstance(key, str) else None
        nested = getattr(field, "schema", None)
        if isinstance(value, dict) and nested is not None:
            found += _pointers(value, nested, f"{at}/{key}")
        elif isinstance(value, dict):  # a list's messages, by index
            found += [{"pointer": f"{at}/{key}/{index}", "detail": _first(errors)} for index, errors in value.items()]
        else:
            found.append({"pointer": f"{at}/{key}", "detail": _first(value)})
    unique = {(error["pointer"], str(error["detail"])): error for error in found}
    return list(unique.values())


def _as_posted(values: dict) -> MultiDict:
    """The JSON values as a browser would post them to the form."""
    posted = MultiDict()
    for name, value in values.items():
        if value is None or value is False:
            continue
        if isinstance(value, list):
            posted.setlist(name, value)
        elif value is True:
            posted[name] = "y"
        elif isinstance(value, date):
            posted[name] = value.isoformat()
        else:
            posted[name] = str(value)
    return posted


def _consent_time(given_at: datetime) -> datetime:
    """The time consent was given, in UTC, once it is known to be recent. It is checked with the
    offset it was sent with: a time at the calendar's edge ("0001-01-01T02:00:08+08:00") has no UTC
    equivalent, and converting it first raised an error that became a 500."""
    now = clock.utcnow().replace(tzinfo=timezone.utc)
    if given_at > now + CLOCK_SKEW:
        raise InvalidIntake([{"pointer": "/consent/given_at", "detail": _l("This time lies in the future.")}])
    if given_at < now - OLDEST_CONSENT:
        raise InvalidIntake(
            [{"pointer": "/consent/given_at", "detail": _l("Consent given more than 30 days ago must be asked again.")}]
        )
    return given_at.astimezone(timezone.utc).replace(tzinfo=None)


def _storable(value) -> bool:
    """No NUL character (PostgreSQL refuses it) and no lone surrogate (no UTF-8 holds it), anywhere."""
    if isinstance(value, dict):
        return all(_storable(key) and _storable(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_storable(item) for item in value)
    if isinstance(value, str):
        return "\x00" not in value and value.encode("utf-8", "surrogatepass").decode("utf-8", "replace") == value
    return True


def read_intake(body) -> tuple[dict, dict]:
    """(the form's data, the consent's version and time), or raise `InvalidIntake`."""
    if not _storable(body):
        raise InvalidIntake([{"pointer": "/", "detail": _l("The request holds characters that cannot be stored.")}])
    schema = IntakeSchema()
    try:
        loaded = schema.load(body)
    except ValidationError as error:
        raise InvalidIntake(_pointers(error.messages, schema)) from None
    consent = loaded["consent"]
    given_at = _consent_time(consent["given_at"])
    posted = _as_posted({**loaded["person"], **loaded["case"], "consent_contact": consent["contact"]})
    posted["consent_store"] = "y"  # the channel sends a request only once the person agreed (docs/api.md)
    posted["consent_method"] = CHANNEL_METHOD
    form = IntakeForm(formdata=posted, meta={"csrf": False})
    form.consent_partners.choices = []
    if not form.validate():
        errors = [
            {"pointer": POINTERS.get(name, f"/person/{name}"), "detail": messages[0]} for name, messages in form.errors.items()
        ]
        raise InvalidIntake(errors)
    return form.data, {"version": consent["version"], "given_at": given_at}
