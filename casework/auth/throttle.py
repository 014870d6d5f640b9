"""Sign-in throttling (S8): failed attempts counted per account and per client address.

Only failures count, and only the account or address concerned is slowed down: there is no global
lockout that an attacker could use to keep everyone out. While an account is throttled even the right
password is refused, so guessing cannot continue at full speed.

Many people can share one address (everyone behind a reverse proxy or an office router), so the
address limit must not keep out an account whose owner is not the one failing. Past it, attempts on
an unknown account are refused outright, and an attempt on a known account goes ahead: the right
password signs in, and a wrong one is refused with the same "too many attempts" page that an unknown
account gets, so the refusal does not tell which accounts exist (S9). Guessing at one account stays
bounded by that account's own limit.

Counters live in Flask-Limiter's storage (memory, or Redis in production so that all workers share
them; `casework.config.check_config` refuses several workers without it).
"""

import hashlib
import hmac

from flask import Flask, Response, abort, current_app, g, request, session
from limits import parse

from casework.errors import render_error
from casework.extensions import limiter, security


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


def _account_limit():
    account = GUARDED[request.endpoint]()
    if account:
        return parse(current_app.config["CASEWORK_LOGIN_LIMIT_ACCOUNT"]), ("sign-in", request.endpoint, _pseudonym(account))
    return None


def _address_limit():
    address = request.remote_addr or "unknown"
    return parse(current_app.config["CASEWORK_LOGIN_LIMIT_ADDRESS"]), ("sign-in-address", _pseudonym(address))


def _account_exists() -> bool:
    """Whether the attempt names a real account; the second step always does."""
    if request.endpoint != "security.login":
        return session.get("tf_user_id") is not None
    email = _account_from_form()
    return bool(email) and security.datastore.find_user(case_insensitive=True, email=email) is not None


def _guarded() -> bool:
    return request.method == "POST" and request.endpoint in GUARDED


def _over(limit_and_key) -> bool:
    limit, key = limit_and_key
    return not limiter.limiter.test(limit, *key)


def refuse_when_throttled() -> None:
    if not _guarded():
        return
    account = _account_limit()
    if account is not None and _over(account):
        abort(429)
    if _over(_address_limit()):
        if not _account_exists():
            abort(429)
        g.sign_in_address_over_limit = True


def _failed(response: Response) -> bool:
    """A successful step redirects (or answers 200 to a JSON client); anything else is a failure."""
    if request.is_json:
        return response.status_code != 200
    return response.status_code not in (302, 303)


def count_failure(response: Response) -> Response:
    if not (_guarded() and _failed(response) and response.status_code != 429):
        return response
    account = _account_limit()
    if account is not None:
        limiter.limiter.hit(account[0], *account[1])
    address = _address_limit()
    limiter.limiter.hit(address[0], *address[1])
    if g.get("sign_in_address_over_limit"):
        body, status = render_error(429)
        return Response(body, status=status, mimetype="text/html")
    return response


def init_throttle(app: Flask) -> None:
    app.before_request(refuse_when_throttled)
    app.after_request(count_failure)
