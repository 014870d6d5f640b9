"""Sign-in throttling (S8): failed attempts counted per account and per client address.

Only failures count, and only the account or address concerned is slowed down: there is no global
lockout that an attacker could use to keep everyone out. While an account is throttled even the right
password is refused, so guessing cannot continue at full speed. Counters live in Flask-Limiter's
storage (memory, or Redis in production so that all workers share them).
"""

import hashlib
import hmac

from flask import Flask, Response, abort, current_app, request, session
from limits import parse

from casework.extensions import limiter


def _account_from_form() -> str | None:
    email = (request.form.get("email") or "").strip().casefold()
    return email or None


def _account_in_second_step() -> str | None:
    return session.get("tf_user_id")


#: Endpoint -> how to name the account a POST to it is trying to open.
GUARDED = {
    "security.login": _account_from_form,
    "security.two_factor_token_validation": _account_in_second_step,
}


def _pseudonym(value: str) -> str:
    """Counters are keyed by a keyed hash, so that the limiter store never holds an e-mail address."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def _counters():
    account = GUARDED[request.endpoint]()
    if account:
        yield parse(current_app.config["CASEWORK_LOGIN_LIMIT_ACCOUNT"]), ("sign-in", request.endpoint, _pseudonym(account))
    address = request.remote_addr or "unknown"
    yield parse(current_app.config["CASEWORK_LOGIN_LIMIT_ADDRESS"]), ("sign-in-address", _pseudonym(address))


def _guarded() -> bool:
    return request.method == "POST" and request.endpoint in GUARDED


def refuse_when_throttled() -> None:
    if _guarded() and not all(limiter.limiter.test(limit, *key) for limit, key in _counters()):
        abort(429)


def _failed(response: Response) -> bool:
    """A successful step redirects (or answers 200 to a JSON client); anything else is a failure."""
    if request.is_json:
        return response.status_code != 200
    return response.status_code not in (302, 303)


def count_failure(response: Response) -> Response:
    if _guarded() and _failed(response) and response.status_code != 429:
        for limit, key in _counters():
            limiter.limiter.hit(limit, *key)
    return response


def init_throttle(app: Flask) -> None:
    app.before_request(refuse_when_throttled)
    app.after_request(count_failure)
