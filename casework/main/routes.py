from flask import render_template
from flask_login import current_user

from casework.permissions import SIGNED_IN, require


@require(SIGNED_IN)
def home():
    return render_template("main/home.html", role=current_user.role_name)
