"""``flask tokens``: the JSON API's integration tokens from the command line.

The server's operator acts here without an account, as in the other commands: the audit rows of a
token made or revoked here have no actor.
"""

from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import select

from casework.api import tokens
from casework.clock import today
from casework.extensions import db
from casework.models import ApiToken
from casework.models.api_token import SCOPES

tokens_cli = AppGroup("tokens", help="Create, list and revoke the JSON API's integration tokens.")


@tokens_cli.command("create")
@click.argument("name")
@click.option("--scope", type=click.Choice(SCOPES), required=True, help="What the token may do.")
@click.option("--expires", type=click.DateTime(["%Y-%m-%d"]), help="The last day the token works (YYYY-MM-DD).")
def create(name: str, scope: str, expires) -> None:
    """Create a token and print its secret, once: it is stored only hashed."""
    try:
        token, secret = tokens.create(name, scope, None, expires.date() if expires else None)
    except tokens.TokenRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    db.session.commit()
    click.echo(f"Created token {token.id} {token.name!r} with scope {token.scope}.")
    click.echo("Its secret, shown only now; hand it to the integration privately:")
    click.echo(secret)


def _state(token: ApiToken, today: date) -> str:
    if token.revoked_at is not None:
        return f"revoked {token.revoked_at:%Y-%m-%d}"
    if token.expires_on is not None and token.expires_on < today:
        return f"expired {token.expires_on}"
    return f"active until {token.expires_on}" if token.expires_on else "active"


@tokens_cli.command("list")
def list_tokens() -> None:
    """Every token: id, name, scope, created (by, on), last used (the day), state. Never a secret."""
    for token in tokens.all_tokens():
        by = token.created_by.email if token.created_by else "command line"
        used = token.last_used_on or "never used"
        click.echo(
            f"{token.id}\t{token.name}\t{token.scope}\tcreated {token.created_at:%Y-%m-%d} by {by}\tlast used {used}\t{_state(token, today())}"
        )


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke a token by its id (see `tokens list`); it stops working at its next request."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id))
    if token is None:
        raise click.ClickException(f"No token {token_id}.")
    try:
        tokens.revoke(token, None)
    except tokens.TokenRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    db.session.commit()
    click.echo(f"Revoked token {token.id} {token.name!r}.")
