"""``flask tokens``: the JSON API's integration tokens from the command line."""

from flask.cli import AppGroup

tokens_cli = AppGroup("tokens", help="Create, list and revoke the JSON API's integration tokens.")
