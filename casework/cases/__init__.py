"""The case area: intake, case pages, lists, search, deadlines, duplicates and subject rights.

The rules live in `operations.py` and need no request; the web layer is in `blueprint.py`, which the
app factory imports, so importing this package loads no route, form or template code.
"""
