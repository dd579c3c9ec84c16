"""The role-aware navigation: which links each role sees in the main menu."""

from flask import current_app, has_request_context, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from registrations.access import ANYONE, AUTHENTICATED
from registrations.models import Role

#: (endpoint, label, who sees it). An entry whose endpoint does not exist is left out.
MENU = [
    ("sessions.catalogue", _l("Sessions"), {ANYONE}),
    ("sessions.manage", _l("Manage sessions"), {Role.ORGANISER, Role.ADMIN}),
    ("registrations.agency_list", _l("Our registrations"), {Role.PARTNER}),
    ("certificates.agency_list", _l("Our certificates"), {Role.PARTNER}),
    ("evaluations.mine", _l("Evaluations"), {Role.PARTNER}),
    ("messages.mine", _l("Messages"), {Role.PARTNER}),
    ("reports.dashboard", _l("Activity"), {Role.ORGANISER, Role.ADMIN}),
    ("admin.index", _l("Administration"), {Role.ADMIN}),
    ("certificates.verify_form", _l("Verify a certificate"), {ANYONE}),
]


def visible_menu(user) -> list[tuple[str, str]]:
    """(url, label) of the menu entries the user (or anonymous visitor) may use, in the reader's
    language: built once per process, role and language (it depends on nothing else)."""
    role = user.role if user.is_authenticated else None
    key = (role, str(get_locale()), request.script_root)
    kept = current_app.extensions.setdefault("menu_entries", {})
    if key not in kept:
        kept[key] = [(url_for(endpoint), str(label)) for endpoint, label, who in MENU
                     if endpoint in current_app.view_functions
                     and (ANYONE in who or (user.is_authenticated and (AUTHENTICATED in who or role in who)))]
    return kept[key]


def menu_for(user) -> list[dict]:
    """The menu entries the given user (or anonymous visitor) may use, the current page's
    highlighted (none outside a request, e.g. when an email is rendered by a command)."""
    if user is None or not has_request_context():
        return []
    return [{"url": url, "label": label, "active": request.path.startswith(url) and url != "/"}
            for url, label in visible_menu(user)]


#: Tools of one session for the office, shown on the session's management page:
#: (endpoint taking `session_id`, label). An entry whose endpoint does not exist is left out.
SESSION_TOOLS = [
    ("sessions.edit", _l("Edit")),
    ("sessions.days", _l("Days and programme")),
    ("programme.timetable", _l("Timetable")),
    ("signatories.session_signatory", _l("Signatory")),
    ("signatories.session_signatory", _l("Signatory")),
    ("registrations.session_list", _l("Registrations")),
    ("registrations.questions_page", _l("Registration questions")),
    ("attendance.grid", _l("Attendance")),
    ("attendance.checkin", _l("Check-in")),
    ("certificates.session", _l("Certificates")),
    ("evaluations.results", _l("Evaluation")),
    ("messages.announce", _l("Announcement")),
]


def session_tools(session_id: int) -> list[dict]:
    """The management tools of a session that exist in this installation."""
    return [
        {"url": url_for(endpoint, session_id=session_id), "label": label, "endpoint": endpoint}
        for endpoint, label in SESSION_TOOLS
        if endpoint in current_app.view_functions
    ]
