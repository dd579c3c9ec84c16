"""The role-aware navigation: which links each role sees in the main menu."""

from flask import current_app, request, url_for
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
    ("reports.dashboard", _l("Activity"), {Role.ORGANISER, Role.ADMIN}),
    ("admin.index", _l("Administration"), {Role.ADMIN}),
    ("certificates.verify_form", _l("Verify a certificate"), {ANYONE}),
]


def menu_for(user) -> list[dict]:
    """The menu entries the given user (or anonymous visitor) may use."""
    entries = []
    for endpoint, label, who in MENU:
        if endpoint not in current_app.view_functions:
            continue
        visible = ANYONE in who or (
            user.is_authenticated and (AUTHENTICATED in who or user.role in who)
        )
        if visible:
            url = url_for(endpoint)
            entries.append({"url": url, "label": label, "active": request.path.startswith(url) and url != "/"})
    return entries
