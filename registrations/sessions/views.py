"""Public pages of sessions: the catalogue, the archive, a session's page and calendars."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, current_app, get_template_attribute, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from registrations import templating
from registrations.access import ANYONE, allow
from registrations.errors import abort_with
from registrations.extensions import db
from registrations.models import Agency, Closure, TrainingSession, utcnow
from registrations.paging import Page
from registrations.programme import services as programme
from registrations.sessions import bp, fragments, listing
from registrations.sessions.base import local_today
from registrations.sessions.calendar import feed_calendar, session_calendar
from registrations.sessions.choices import country_name
from registrations.sessions.forms import CatalogueFilterForm, options
from registrations.sessions.queries import (
    CatalogueFilters,
    SessionFacts,
    feed_sessions,
    get_session_for,
    may_see,
    session_facts,
)


def _filters(form: CatalogueFilterForm) -> CatalogueFilters:
    """The valid filters of the form (an invalid month is ignored, the form says why)."""
    form.validate()
    values = {name: (form[name].data or "").strip() for name in vars(CatalogueFilters())}
    if form.month.errors:
        values["month"] = ""
    return CatalogueFilters(**values)


def _listing(template: str, find: Callable[[CatalogueFilters, int], Page], endpoint: str):
    """A list of sessions, found by `find(filters, per_page)` (listing.py); its body is rendered
    once per language, arguments and version of the sessions (see fragments.py), the page
    around it at every request (nothing is looked up when the body is kept)."""
    now = utcnow()

    def render():
        form = CatalogueFilterForm(request.args)
        form.city.choices = options([("", _("All cities"))] + [(city, city) for city in listing.upcoming_cities()])
        filters = _filters(form)
        page = find(filters, current_app.config["ITEMS_PER_PAGE"])
        status = 400 if form.errors else 200
        # What the folded filters show (not the search words): their kept HTML is found by it.
        filters_key = tuple((f.name, str(f.data), tuple(f.errors)) for f in form if f.name != "q")
        filters_plain = not any(f.data or f.errors for f in form if f.name != "q")
        body = render_template(template.replace("/", "/_", 1).replace(".html", "_body.html"), form=form,
                               page=page, cards=listing.cards(page.items, now), filters=filters,
                               filters_key=filters_key, filters_plain=filters_plain, endpoint=endpoint, now=now,
                               today=local_today(),
                               session_results=get_template_attribute("sessions/_macros.html", "session_results"))
        return body, status, page.items

    return fragments.page(template, (endpoint, request.query_string, fragments.sessions_version()), render, now)


@bp.get("/sessions")
@allow(ANYONE)
def catalogue():
    """Upcoming sessions, filtered and searched without caring about accents or case."""
    return _listing("sessions/catalogue.html", listing.upcoming_page, "sessions.catalogue")


@bp.get("/sessions/archive")
@allow(ANYONE)
def archive():
    """Past, completed and cancelled sessions."""
    return _listing("sessions/archive.html", listing.archive_page, "sessions.archive")


@dataclass
class RegistrationPanel:
    """What a session's page says about registering, for the person reading it."""

    #: "register" (show the links), "login", "staff", or "closed" (with `reason`).
    state: str
    reason: str = ""


def registration_panel(user, session: TrainingSession) -> RegistrationPanel:
    """Whether the reader may register, and if not, why."""
    closure = session.registration_closure()
    if closure == Closure.NOT_YET_OPEN:
        return RegistrationPanel("closed", _("Registration opens on %(when)s.",
                                             when=templating.moment(session.registration_opens_at)))
    if closure is not None:
        return RegistrationPanel("closed", str(closure.label))
    if not user.is_authenticated:
        return RegistrationPanel("login")
    if user.is_staff:
        return RegistrationPanel("staff")
    country = user.agency.country if user.agency else ""
    if not session.accepts_country(country):
        return RegistrationPanel("closed", _("Officers of your agency's country are not eligible for this "
                                             "session."))
    return RegistrationPanel("register")


def quota_rows(session: TrainingSession) -> list[tuple[str, int]]:
    """(who, seats) of each quota: "Vietnam", or an agency's name (one query for all agencies)."""
    agency_ids = [quota.agency_id for quota in session.quotas if quota.agency_id]
    names = dict(db.session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(agency_ids))).all()) \
        if agency_ids else {}
    return [(names.get(quota.agency_id, "") if quota.agency_id else country_name(quota.country), quota.seats)
            for quota in session.quotas]


def _quota_rows_of(facts: SessionFacts) -> list[tuple[str, int]]:
    """`quota_rows` from the rows of SessionFacts (no further query)."""
    return [(name or "" if agency_id else country_name(country), seats)
            for agency_id, name, country, seats in facts.quotas]


@bp.get("/sessions/<int:session_id>")
@allow(ANYONE)
def detail(session_id: int):
    """A session's page: key facts, the timetable (materials for approved participants and the
    office), and how to register.

    Its body is kept (see fragments.py) under everything it shows: the version of the public
    pages (bumped with every change of the session), its days and quotas, and what the reader may do; those are
    read as plain rows, the session with its days only when the body is rendered. An anonymous
    reader's whole page is kept under the session and that version alone: nothing is read then."""
    now = utcnow()
    if fragments.whole_pages_kept():
        return fragments.kept_page(("sessions.detail", session_id, fragments.sessions_version()),
                                   lambda: _detail_parts(session_id, now), now)
    template, key, render, context = _detail_parts(session_id, now)
    return fragments.page(template, key, render, now, **context)


def _detail_parts(session_id: int, now) -> tuple[str, tuple, Callable, dict]:
    """What `fragments.page` needs for a session's page: (template, key of the body, its
    renderer, the page's context); 404 for a session the reader may not see."""
    facts = session_facts(session_id)
    if facts is None or not may_see(current_user, facts.session):
        abort_with(404, _("This session does not exist or is not published."))
    quotas = _quota_rows_of(facts)
    panel = registration_panel(current_user, facts.session)
    staff = bool(current_user.is_authenticated and current_user.is_staff)
    materials = programme.may_get_materials(current_user, session_id)
    key = ("sessions.detail", session_id, fragments.sessions_version(), facts.session.seats_taken, facts.days,
           tuple(quotas), panel.state, panel.reason, staff, materials)

    def render():
        session = get_session_for(current_user, session_id)
        body = render_template("sessions/_detail_body.html", session=session, quotas=quotas, panel=panel, now=now,
                               timetable=programme.timetable(session_id), materials=materials)
        return body, 200, [session]

    return "sessions/detail.html", key, render, {"session": facts.session}


def _calendar_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/sessions/<int:session_id>.ics")
@allow(ANYONE)
def ics(session_id: int):
    """One session as an iCalendar file."""
    session = get_session_for(current_user, session_id)
    return _calendar_response(session_calendar(session), f"session-{session.id}.ics")


@bp.get("/sessions/calendar.ics")
@allow(ANYONE)
def feed():
    """Every upcoming published session, as a calendar to subscribe to."""
    return _calendar_response(feed_calendar(feed_sessions()), "sessions.ics")
