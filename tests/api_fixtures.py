"""Fixtures for the API's tests: tokens of each scope, a valid intake body, and a client call."""

import copy
from datetime import timedelta

import pytest

from casework import clock
from casework.api import tokens
from casework.extensions import db
from casework.models import ApiToken

#: An intake as a Telegram bot would send it, with the same person as tests.factories.INTAKE.
BODY = {
    "consent": {"version": "2026-11", "given_at": "", "contact": True},
    "person": {
        "surname_latin": "Sokolov",
        "given_names_latin": "Dmitri",
        "surname_cyrillic": "Соколов",
        "given_names_cyrillic": "Дмитрий",
        "date_of_birth": "1994-02-03",
        "sex": "M",
        "phone": "+79161234567",
        "telegram": "@dsokolov",
    },
    "case": {"location": "netherlands", "military_situation": "reservist", "needs": ["legal_advice"]},
}


def intake_body(**person) -> dict:
    """A fresh copy of BODY, consent given three minutes ago, with `person`'s fields changed."""
    given_at = (clock.utcnow() - timedelta(minutes=3)).isoformat(timespec="seconds") + "+00:00"
    body = copy.deepcopy(BODY)
    body["consent"]["given_at"] = given_at
    body["person"].update(person)
    return body


@pytest.fixture
def make_token(app):
    """`make_token("intake")` -> (id, secret) of a new token, made as the command line makes it."""

    def make(scope: str, name: str | None = None, **fields) -> tuple[int, str]:
        with app.app_context():
            count = db.session.query(ApiToken).count()
            token, secret = tokens.create(name or f"{scope} channel {count + 1}", scope, None)
            for key, value in fields.items():
                setattr(token, key, value)
            db.session.commit()
            return token.id, secret

    return make


def bearer(secret: str, **headers) -> dict:
    return {"Authorization": f"Bearer {secret}", **headers}
