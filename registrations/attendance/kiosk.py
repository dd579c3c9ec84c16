"""Kiosk mode: one shared device on which participants check themselves in.

An organiser starts it on a logged-in device; from then on the login of that browser reaches
only the kiosk page (and the language switch): every other page sends back to it, so a
participant sees no list, no other person's data and no menu. A check-in shows only the name of
the person whose code it was. Leaving the mode needs the organiser's password, typed again
(limited to KIOSK_LEAVE_LIMIT tries per account and address). The mode is a value in the signed
cookie session: logging out from elsewhere (My logins) ends it with the login.
"""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registrations.access import STAFF, allow
from registrations.attendance import bp, services
from registrations.attendance.forms import CheckInForm, KioskLeaveForm, KioskStartForm
from registrations.attendance.services import AttendanceError
from registrations.attendance.views import CAMERA_ALLOWED
from registrations.errors import session_or_404
from registrations.extensions import client_address, rate_limited
from registrations.i18n import DEVICE_LOCALE_KEY
from registrations.transaction import run

#: Key of the cookie session holding the id of the session whose kiosk this device is.
KIOSK_KEY = "kiosk_session_id"
#: What a device in kiosk mode may still reach.
KIOSK_ENDPOINTS = frozenset({"attendance.kiosk", "attendance.kiosk_leave", "static", "bootstrap.static",
                             "main.set_language", "attendance.service_worker", "attendance.manifest"})


def kiosk_session_id() -> int | None:
    """The session whose kiosk this browser is, or None."""
    value = session.get(KIOSK_KEY)
    return value if isinstance(value, int) else None


def end_kiosk() -> None:
    """Leave kiosk mode on this browser, and the language participants chose on it."""
    session.pop(KIOSK_KEY, None)
    session.pop(DEVICE_LOCALE_KEY, None)


@bp.before_app_request
def stay_in_kiosk():
    """A device in kiosk mode reaches nothing but the kiosk."""
    kiosk = kiosk_session_id()
    if kiosk is None or request.endpoint in KIOSK_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        end_kiosk()
        return None
    return redirect(url_for("attendance.kiosk", session_id=kiosk))


@bp.route("/<int:session_id>/kiosk", methods=["GET", "POST"])
@allow(STAFF)
def kiosk(session_id: int):
    """The kiosk: start it (organiser), or check oneself in by code (participants)."""
    training = session_or_404(session_id)
    active = kiosk_session_id() == training.id
    form, result, error, status = CheckInForm(), None, None, 200
    if active and form.validate_on_submit():
        try:
            result = run(services.check_in, training.id, form.code.data, current_user)
        except AttendanceError as refused:
            error, status = str(refused.message), refused.status
        form.code.data = ""
    elif active and request.method == "POST":
        status = 400
    return render_template(
        "attendance/kiosk.html", session=training, active=active, form=form, result=result, error=error,
        start_form=KioskStartForm(), leave_form=KioskLeaveForm(), kiosk_mode=active,
    ), status, {"Permissions-Policy": CAMERA_ALLOWED}


@bp.post("/<int:session_id>/kiosk/start")
@allow(STAFF)
def kiosk_start(session_id: int):
    """Turn this device into the session's kiosk."""
    training = session_or_404(session_id)
    if KioskStartForm().validate_on_submit():
        session[KIOSK_KEY] = training.id
    return redirect(url_for("attendance.kiosk", session_id=training.id))


def _leave_key() -> str:
    return f"kiosk-leave:{getattr(current_user, 'id', '')}:{client_address()}"


@bp.post("/<int:session_id>/kiosk/leave")
@allow(STAFF)
@rate_limited(lambda: current_app.config["KIOSK_LEAVE_LIMIT"], key_func=_leave_key)
def kiosk_leave(session_id: int):
    """Leave kiosk mode with the organiser's password."""
    training = session_or_404(session_id)
    form = KioskLeaveForm()
    if form.validate_on_submit() and current_user.check_password(form.password.data):
        end_kiosk()
        flash(_("Kiosk mode ended."), "success")
        return redirect(url_for("attendance.checkin", session_id=training.id))
    if form.password.data:
        form.password.errors.append(_("This is not the organiser's password."))
    return render_template(
        "attendance/kiosk.html", session=training, active=kiosk_session_id() == training.id, form=CheckInForm(),
        result=None, error=None, start_form=KioskStartForm(), leave_form=form, kiosk_mode=True, leaving=True,
    ), 400
