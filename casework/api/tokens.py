"""Integration tokens: made, revoked and checked here, for the admin pages, the CLI and the API alike.

The secret is 256 random bits, shown once; the database keeps its SHA-256 digest only. A slow hash
(argon2) would add nothing against a guess of 256 random bits, and would cost every API request.
The digest is looked up through its unique index and then compared in constant time.
"""

import hashlib
import hmac
import secrets
from datetime import date

from sqlalchemy import select

from casework import audit, clock
from casework.clock import utcnow
from casework.extensions import db
from casework.i18n import _l
from casework.models import ApiToken, User
from casework.models.api_token import SCOPES

#: Every secret starts with this, so that a secret scanner (or a person) can tell what leaked.
PREFIX = "cw_"
NAME_LENGTH = 100


class TokenRefused(Exception):
    """A token that cannot be made or revoked; the message is translated and safe to show."""


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest()


def create(name: str, scope: str, actor: User | None, expires_on: date | None = None) -> tuple[ApiToken, str]:
    """A new token and its secret, which is returned here once and stored nowhere. `actor` is None
    on the command line (the server's operator)."""
    name = name.strip()
    if not name or len(name) > NAME_LENGTH:
        raise TokenRefused(_l("Give the token a name of at most 100 characters."))
    if scope not in SCOPES:
        raise TokenRefused(_l("Choose the token's scope."))
    if expires_on is not None and expires_on <= clock.today():
        raise TokenRefused(_l("A token's last day must lie in the future."))
    if db.session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise TokenRefused(_l("A token with this name exists already; names tell tokens apart in the audit trail."))
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, scope=scope, digest=digest(secret), created_by=actor, expires_on=expires_on)
    db.session.add(token)
    db.session.flush()
    audit.record("api_token_created", actor=actor, detail=f"token:{token.id}")
    return token, secret


def revoke(token: ApiToken, actor: User | None) -> None:
    """The token stops working at its next request; the row stays, for the audit trail's names."""
    if token.revoked_at is not None:
        raise TokenRefused(_l("This token is revoked already."))
    token.revoked_at, token.revoked_by = utcnow(), actor
    audit.record("api_token_revoked", actor=actor, detail=f"token:{token.id}")


def usable(token: ApiToken | None) -> bool:
    return token is not None and token.revoked_at is None and (token.expires_on is None or token.expires_on >= clock.today())


def authenticate(secret: str | None) -> ApiToken | None:
    """The token this secret belongs to, if it is neither revoked nor expired; None otherwise.

    Read fresh from the database on every request, so a revocation takes effect at the next one."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    wanted = digest(secret)
    token = db.session.scalar(select(ApiToken).where(ApiToken.digest == wanted))
    if token is None or not hmac.compare_digest(token.digest, wanted) or not usable(token):
        return None
    if token.last_used_on != clock.today():
        token.last_used_on = clock.today()  # a day, not a time: no log of when a channel was busy
    return token


def all_tokens() -> list[ApiToken]:
    """Usable tokens first, then revoked or expired ones, newest first within each."""
    tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()
    return sorted(tokens, key=lambda token: not usable(token))


def names_by_detail() -> dict[str, str]:
    """{"token:<id>": name}, for the audit trail, which records a token by id."""
    return {f"token:{token_id}": name for token_id, name in db.session.execute(select(ApiToken.id, ApiToken.name))}
