"""Home page, language switcher and load-balancer health check."""

from flask import jsonify, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from registrations.access import ANYONE, allow
from registrations.attendance.kiosk import kiosk_session_id
from registrations.auth.views import safe_next
from registrations.errors import abort_with
from registrations.extensions import csrf, db
from registrations.i18n import DEVICE_LOCALE_KEY, LANGUAGES, LOCALE_COOKIE
from registrations.main import bp
from registrations.models import Theme, utcnow
from registrations.security import sent_from_this_site
from registrations.sessions import fragments
from registrations.sessions.queries import upcoming_sessions
from registrations.transaction import run


@bp.get("/")
@allow(ANYONE)
def index():
    """Home page: what the office offers, and where each role starts."""
    themes = [theme for theme in Theme if theme != Theme.OTHER]
    now = utcnow()

    def render():
        sessions = upcoming_sessions(4)
        return render_template("main/_next_sessions.html", sessions=sessions, now=now), 200, sessions

    return fragments.page("main/index.html", ("main.index", fragments.sessions_version()), render, now,
                          part_name="next_sessions", themes=themes)


def _prefer_language(user, code: str) -> None:
    """Keep the account's interface language (the edge commits)."""
    user.locale = code


@bp.post("/language")
@allow(ANYONE)
@csrf.exempt  # checked below: by the CSRF token when signed in, else by where the post comes from
def set_language():
    """Remember the chosen interface language (account preference and cookie); on a kiosk, for
    the kiosk only (its login's session): a participant's choice is not the organiser's.

    A signed-in reader's form carries the CSRF token. A visitor without an account posts without
    one, so that public pages need no cookie session (see layout.language_bar): the post is
    refused unless the browser says it comes from this site, and a cookie of the visitor's own
    browser is all it sets."""
    if current_user.is_authenticated:
        csrf.protect()
    elif not sent_from_this_site():
        abort_with(403, _("This language choice was sent from another site. Choose the language on this "
                          "site's own page."))
    code = request.form.get("lang", "")
    if code not in LANGUAGES:
        abort_with(400, _("This language is not available."))
    response = make_response(redirect(safe_next(request.form.get("next")) or url_for("main.index")))
    if kiosk_session_id() is not None:
        session[DEVICE_LOCALE_KEY] = code
        return response
    if current_user.is_authenticated and current_user.locale != code:
        run(_prefer_language, current_user, code)
    response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    return response


@bp.get("/healthz")
@allow(ANYONE)
@csrf.exempt
def healthz():
    """200 when the database answers, 503 when it does not (for load balancers)."""
    try:
        run(db.session.execute, text("SELECT 1"))  # run rolls the failed probe back
    except SQLAlchemyError:
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok", database="up"), 200
