"""Sign-in, second factor, sessions and language choice; Flask-Security does the heavy lifting."""
