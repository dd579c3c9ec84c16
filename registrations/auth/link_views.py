"""Pages reached from an emailed link: accepting an invitation, resetting a password.

The token is in the address, so these pages tell the browser never to send it on as a
Referer (`Referrer-Policy: no-referrer`), and a used link is dead.
"""

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from registrations.access import ANYONE, allow
from registrations.auth import bp
from registrations.auth.forms import PasswordChooseForm
from registrations.auth.invitations import INVITATION, RESET, LinkError, use_link, user_for_token
from registrations.errors import render_error
from registrations.transaction import run


def _no_referrer(result):
    response = make_response(result)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _choose_password(token: str, purpose: str):
    try:
        user = user_for_token(token, purpose)
    except LinkError as error:
        return _no_referrer(render_error(error.status, error.message))
    form = PasswordChooseForm()
    status = 200
    if form.validate_on_submit():
        try:
            run(use_link, token, purpose, form.new_password.data)
        except LinkError as error:
            return _no_referrer(render_error(error.status, error.message))
        logout_user()
        flash(_("Your password is saved. You can now log in."), "success")
        return _no_referrer(redirect(url_for("auth.login")))
    if request.method == "POST":
        status = 400
    page = render_template("auth/choose_password.html", form=form, user=user, purpose=purpose,
                           action=request.path)
    return _no_referrer((page, status))


@bp.route("/account/invitation/<token>", methods=["GET", "POST"])
@allow(ANYONE)
def accept_invitation(token: str):
    """Choose the password of an account the office created (invitation link)."""
    return _choose_password(token, INVITATION)


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
@allow(ANYONE)
def reset_password(token: str):
    """Choose a new password through a reset link sent by the office."""
    return _choose_password(token, RESET)
