"""The API's request and response bodies as marshmallow schemas: the OpenAPI document is made from
them (casework.api.openapi), and requests are checked against them before anything else.

The intake's person and case fields are not written out a second time: they are generated from the
intake form's own fields (casework.cases.forms), with the form's choices, lengths and ranges. So
the API cannot drift from the form; and after the shape is checked here, the same form validates
the values (casework.api.intake_input), with its cross-checks and translated messages.
"""

from marshmallow import Schema, fields, validate
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length, NumberRange

from casework.cases.forms import CaseFields, PersonFields
from casework.i18n import _l

#: Messages of the shape check, in the caller's language, none repeating the value sent.
MESSAGES = {
    "required": _l("This field is required."),
    "null": _l("This field cannot be null."),
    "invalid": _l("This value has the wrong type or format."),
    "validator_failed": _l("This value is not valid."),
}
NOT_A_CHOICE = _l("This is not one of the allowed codes.")
TOO_LONG = _l("This text is too long.")
OUT_OF_RANGE = _l("This number is out of range.")
UNKNOWN = _l("The request has fields this API does not take (their names are not repeated here).")


class Strict(Schema):
    """Unknown fields are refused, and every message is translated."""

    error_messages = {"unknown": UNKNOWN, "type": MESSAGES["invalid"]}


def _codes(choices) -> list[str]:
    return [code for code, *_rest in choices if code != ""]


def _validators(unbound: UnboundField) -> list:
    found = []
    for validator in unbound.kwargs.get("validators", []):
        if isinstance(validator, Length) and validator.max != -1:
            found.append(validate.Length(max=validator.max, error=TOO_LONG))
        elif isinstance(validator, NumberRange):
            found.append(validate.Range(min=validator.min, max=validator.max, error=OUT_OF_RANGE))
    return found


def _field(unbound: UnboundField) -> fields.Field:
    """The JSON field for one form field: its type, its codes or bounds, and its label as description."""
    kind = unbound.field_class
    options = {"allow_none": True, "error_messages": MESSAGES, "metadata": {"description": unbound.args[0]}}
    choices = unbound.kwargs.get("choices")
    if issubclass(kind, SelectMultipleField):
        return fields.List(fields.String(validate=validate.OneOf(_codes(choices), error=NOT_A_CHOICE)), **options)
    if issubclass(kind, SelectField):
        if callable(choices):  # a list that depends on the reader's language: countries by ISO code
            return fields.String(validate=validate.Regexp(r"^[A-Z]{2}$", error=NOT_A_CHOICE), **options)
        return fields.String(validate=validate.OneOf(_codes(choices), error=NOT_A_CHOICE), **options)
    if issubclass(kind, BooleanField):
        return fields.Boolean(**options)
    if issubclass(kind, DateField):
        return fields.Date(**options)
    if issubclass(kind, IntegerField):
        return fields.Integer(strict=True, validate=_validators(unbound), **options)
    return fields.String(validate=_validators(unbound), **options)


def form_fields(form_class) -> dict[str, UnboundField]:
    """The form's fields in the order the form shows them."""
    found = {name: value for name, value in vars(form_class).items() if isinstance(value, UnboundField)}
    return dict(sorted(found.items(), key=lambda item: item[1].creation_counter))


PersonSchema = Strict.from_dict({name: _field(unbound) for name, unbound in form_fields(PersonFields).items()}, name="Person")
CaseSchema = Strict.from_dict({name: _field(unbound) for name, unbound in form_fields(CaseFields).items()}, name="Case")


class ConsentSchema(Strict):
    version = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40, error=TOO_LONG),
        error_messages=MESSAGES,
        metadata={"description": "The version of the consent text the person agreed to, as the channel names it."},
    )
    given_at = fields.AwareDateTime(
        required=True,
        error_messages={**MESSAGES, "invalid_awareness": MESSAGES["invalid"]},
        metadata={"description": "When the person agreed, with its UTC offset (ISO 8601)."},
    )
    contact = fields.Boolean(
        load_default=False,
        error_messages=MESSAGES,
        metadata={"description": "Whether the person also agreed to be contacted by the foundation."},
    )


class IntakeSchema(Strict):
    consent = fields.Nested(ConsentSchema, required=True, error_messages=MESSAGES)
    person = fields.Nested(PersonSchema, required=True, error_messages=MESSAGES)
    case = fields.Nested(CaseSchema, load_default=dict, error_messages=MESSAGES)


class IntakeCreatedSchema(Schema):
    reference = fields.UUID(required=True, metadata={"description": "The new case's reference; nothing else is answered."})


class FieldErrorSchema(Schema):
    pointer = fields.String(required=True, metadata={"description": "JSON pointer (RFC 6901) of the field at fault."})
    detail = fields.String(required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True, metadata={"description": "Translated by Accept-Language (en, nl, ru, uk)."})
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldErrorSchema), metadata={"description": "For invalid input: each field at fault."})


class CellSchema(Schema):
    category = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "The category's name, by Accept-Language."})
    value = fields.String(required=True, metadata={"description": '"<10", or a multiple of 5 of at least 10.'})


class TableSchema(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    epsilon = fields.Float(required=True)
    epsilon_of_the_total = fields.Float(metadata={"description": "Of `epsilon`, the total's, to which the cells are reconciled."})
    cells = fields.List(fields.Nested(CellSchema), required=True)
    total = fields.String(required=True)


class ReleaseSummarySchema(Schema):
    id = fields.String(required=True, metadata={"description": "The release's period, e.g. 2026Q3."})
    period = fields.String(required=True)
    released_on = fields.Date(required=True)
    epsilon_for_the_period = fields.Float(required=True)


class ReleaseListSchema(Schema):
    releases = fields.List(fields.Nested(ReleaseSummarySchema), required=True)


class ReleaseSchema(ReleaseSummarySchema):
    display_rule = fields.String(required=True)
    privacy_unit = fields.String(required=True)
    tables = fields.List(fields.Nested(TableSchema), required=True)
