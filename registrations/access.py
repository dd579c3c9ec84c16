"""Declared access rules: every view states, in one line, who may use it.

    @bp.get("/sessions/new")
    @allow(Role.ORGANISER, Role.ADMIN)
    def new_session(): ...

`allow(ANYONE)` marks a public view. `tests/test_access.py` walks `app.url_map` and fails
when an endpoint has no declared rule, so a new route cannot forget one.
"""

from functools import wraps

from flask import abort, current_app
from flask_babel import gettext as _
from flask_login import current_user

from registrations.errors import abort_with, wants_json
from registrations.models import Role

#: Rule of a public view (anonymous visitors included).
ANYONE = "anyone"
#: Rule of a view for any logged-in account, whatever its role.
AUTHENTICATED = "authenticated"
#: Organisers and admins: the cooperation office.
STAFF = (Role.ORGANISER, Role.ADMIN)

#: Endpoints registered by extensions, with the rule that applies to them.
EXTENSION_ENDPOINTS = {"static": ANYONE, "bootstrap.static": ANYONE}


def agency_scope(user) -> int | None:
    """The agency a user is limited to (partners), or None (staff see every agency)."""
    return None if user.is_staff else user.agency_id


def scoped_to_agency(query, column, user=None):
    """`query` narrowed to the rows whose `column` (an agency id) is the user's agency, unless the
    user (default: the current user) is staff: the one place a partner's query is scoped."""
    scope = agency_scope(current_user if user is None else user)
    return query if scope is None else query.where(column == scope)


def may_see_agency(agency_id: int | None, user=None) -> bool:
    """Whether the user (default: the current user) may see a row of this agency."""
    scope = agency_scope(current_user if user is None else user)
    return scope is None or agency_id == scope


def allow(*rules):
    """Restrict a view to the given roles (or `ANYONE` / `AUTHENTICATED`).

    Anonymous visitors of a protected view are sent to the login page; a script asking for JSON
    gets 401 instead, without a redirect or a flashed message (a flash would write the session
    cookie and could replace the one of a login form opened at the same time). A logged-in
    account without one of the roles gets 403.
    """
    flat: list = []
    for rule in rules:
        flat.extend(rule if isinstance(rule, (tuple, list)) else [rule])
    allowed = frozenset(flat)
    if not allowed:
        raise ValueError("allow() needs at least one rule")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if ANYONE not in allowed:
                if not current_user.is_authenticated:
                    if wants_json():
                        abort_with(401, _("Please log in to see this page."))
                    return current_app.login_manager.unauthorized()
                if AUTHENTICATED not in allowed and current_user.role not in allowed:
                    abort(403)
            return view(*args, **kwargs)

        wrapped.access_rule = allowed
        return wrapped

    return decorator


def access_rule(app, endpoint: str):
    """The declared rule of an endpoint, or None when it has none."""
    if endpoint in EXTENSION_ENDPOINTS:
        return frozenset([EXTENSION_ENDPOINTS[endpoint]])
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)
