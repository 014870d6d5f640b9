"""Forms shared by every area."""

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A button that changes something: it only carries the CSRF token."""
