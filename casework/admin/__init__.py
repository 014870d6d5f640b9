"""Account administration: invitations, roles, deactivation, second-factor resets, partners and
policy baselines. The web layer is in `blueprint.py`; who may use it is in `casework.permissions`."""
