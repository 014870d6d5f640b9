"""Anonymised statistics: differentially private releases for advocates (statistics.md).
The web layer is in `blueprint.py`."""
