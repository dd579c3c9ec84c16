"""Login, logout and password change views."""

from urllib.parse import urlsplit

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, refresh
from flask_login import current_user, login_user, logout_user

from registrations.access import ANYONE, AUTHENTICATED, allow
from registrations.auth import bp, logins
from registrations.auth.forms import LoginForm, PasswordChangeForm
from registrations.auth.services import AccountError, authenticate, change_password, normalise_email
from registrations.errors import abort_with, render_error
from registrations.extensions import client_address, rate_limited
from registrations.transaction import run


def safe_next(target: str | None) -> str | None:
    """Return `target` only when it is a path on this site (no scheme, no host)."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _login_failed(response) -> bool:
    """Only failed login attempts count against the throttle."""
    return request.method == "POST" and response.status_code != 302


def _account() -> str:
    return normalise_email(request.form.get("email", ""))[:254]


def _pair_key() -> str:
    return f"login-pair:{_account()}|{client_address()}"


def _account_key() -> str:
    return "login-account:" + _account()


def _address_key() -> str:
    return "login-address:" + client_address()


def _throttled(limit):
    """The answer once a login limit is reached: a translated page saying what to do."""
    return make_response(render_error(429, _(
        "Too many failed login attempts. Wait before trying again (at most one hour), or ask the "
        "cooperation office for a link to choose a new password.")))


#: Failed logins are counted three ways (see the README, "Login throttling"): per account *and*
#: address (the quick limit: a stranger elsewhere cannot lock the owner out), per address (one
#: machine trying many accounts), and per account from anywhere, slowly (a spread-out guess).
_LIMITS = (("LOGIN_LIMIT_PER_PAIR", _pair_key), ("LOGIN_LIMIT_PER_ADDRESS", _address_key),
           ("LOGIN_LIMIT_PER_ACCOUNT", _account_key))


def _throttle(view):
    for name, key in reversed(_LIMITS):
        view = rate_limited(lambda name=name: current_app.config[name], key_func=key, methods=["POST"],
                             deduct_when=_login_failed, on_breach=_throttled)(view)
    return view


def _open_login(user) -> None:
    """Log the person in: Flask-Login's cookie and a new row of the `login` table."""
    login_user(user)
    run(logins.start, user)


@bp.route("/login", methods=["GET", "POST"])
@allow(ANYONE)
@_throttle
def login():
    """Log in with email and password."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data) or url_for("main.index"))
    status = 200
    if form.validate_on_submit():
        try:
            user = run(authenticate, form.email.data, form.password.data)
        except AccountError as error:
            flash(str(error.message), "danger")
            status = error.status
        else:
            _open_login(user)
            refresh()  # greet the person in their own language
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(form.next.data) or url_for("main.index"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@allow(AUTHENTICATED)
def logout():
    """End the login: its row goes, so a copy of the cookie opens nothing any more."""
    run(logins.end_current)
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(AUTHENTICATED)
def password():
    """Change one's own password."""
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        try:
            run(change_password, current_user, form.current_password.data, form.new_password.data)
        except AccountError as error:
            form.current_password.errors.append(str(error.message))
            status = 400
        else:
            # Every login ended with the change; this one goes on under a new login.
            _open_login(current_user._get_current_object())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.index"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/password.html", form=form), status


@bp.get("/account/logins")
@allow(AUTHENTICATED)
def my_logins():
    """The person's open logins (this one marked), each of the others with a button to end it."""
    return render_template("auth/logins.html", logins=logins.logins_of(current_user.id),
                           current=logins.current_login_id())


@bp.post("/account/logins/<login_id>/end")
@allow(AUTHENTICATED)
def end_login(login_id: str):
    """End one of one's own other logins (ending this one is logging out)."""
    if login_id == logins.current_login_id():
        abort_with(400, _("To end this login, log out."))
    if not run(logins.end_one, current_user.id, login_id):
        abort_with(404, _("This login has already ended."))
    flash(_("The login is ended."), "success")
    return redirect(url_for("auth.my_logins"))


@bp.post("/account/logins/end-others")
@allow(AUTHENTICATED)
def end_other_logins():
    """End every login of one's account except this one."""
    count = run(logins.end_all, current_user.id, keep=logins.current_login_id())
    flash(ngettext("%(num)d other login ended.", "%(num)d other logins ended.", count), "success")
    return redirect(url_for("auth.my_logins"))
