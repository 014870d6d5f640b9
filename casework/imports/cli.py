"""``flask import``: spreadsheet imports from the command line."""

from flask.cli import AppGroup

import_cli = AppGroup("import", help="Import cases from the foundation's spreadsheets.")
