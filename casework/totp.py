"""TOTP codes that work only once (S7)."""

from flask_security import Totp


class SingleUseTotp(Totp):
    """Remembers the time step of the last accepted code on the user, so it cannot be replayed.

    The TOTP library refuses any code at or before `last_counter`; Flask-Security provides these
    two hooks for exactly this.
    """

    def get_last_counter(self, user):
        return user.tf_totp_last_counter

    def set_last_counter(self, user, tmatch):
        # The user was loaded through the database session, so the change is committed with the sign-in.
        user.tf_totp_last_counter = tmatch.counter
