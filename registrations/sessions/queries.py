"""Reading sessions: the catalogue, the archive, and loading one session for whoever asks.

Each function runs a fixed number of queries whatever the number of sessions, days or
registrations; days and quotas come with one extra query each (selectinload), never per row.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from registrations.errors import abort_with
from registrations.extensions import db
from registrations.models import Agency, SessionDay, SessionQuota, SessionStatus, TrainingSession
from registrations.page_reads import PLANNED_EACH_TIME
from registrations.sessions import fulltext
from registrations.sessions.base import local_today
from registrations.text import fold, fold_compact

#: Statuses that anyone may see (drafts are for the office only).
PUBLIC_STATUSES = (SessionStatus.PUBLISHED, SessionStatus.CLOSED, SessionStatus.COMPLETED,
                   SessionStatus.CANCELLED)
#: Statuses of the sessions still to come in the catalogue.
UPCOMING_STATUSES = (SessionStatus.PUBLISHED, SessionStatus.CLOSED)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass
class CatalogueFilters:
    """What the reader chose in the catalogue's filter form (empty strings mean "any")."""

    q: str = ""
    theme: str = ""
    kind: str = ""
    country: str = ""
    city: str = ""
    month: str = ""
    language: str = ""

    @property
    def any(self) -> bool:
        return any(vars(self).values())


def month_bounds(value: str) -> tuple[date, date] | None:
    """First and last day of a "YYYY-MM" month, or None when the text is not a month."""
    match = _MONTH.match(value or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    first = date(int(match.group(1)), int(match.group(2)), 1)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def search_condition(text: str):
    """Accent-, case- and space-insensitive match on the session's search text.

    "ha noi", "Hà Nội" and "hanoi" find Hà Nội: every word must appear, or the whole query
    written without spaces. A full-text index finds the candidate rows first (fulltext.py).
    """
    words = fold(text).split()
    if not words:
        return sa.true()
    column = TrainingSession.search_text
    match = or_(column.contains(fold_compact(text), autoescape=True),
                and_(*[column.contains(word, autoescape=True) for word in words]))
    narrowed = fulltext.narrowing(text, TrainingSession.id)
    return match if narrowed is None else and_(narrowed, match)


def apply_filters(statement, filters: CatalogueFilters):
    """Narrow a select of sessions by the catalogue's filters."""
    if filters.q:
        statement = statement.where(search_condition(filters.q))
    if filters.theme:
        statement = statement.where(TrainingSession.theme == filters.theme)
    if filters.kind:
        statement = statement.where(TrainingSession.kind == filters.kind)
    if filters.country:
        statement = statement.where(TrainingSession.country == filters.country)
    if filters.city:
        statement = statement.where(TrainingSession.city == filters.city)
    bounds = month_bounds(filters.month)
    if bounds:
        statement = statement.where(TrainingSession.start_date <= bounds[1], TrainingSession.end_date >= bounds[0])
    if filters.language:
        interpretation = sa.literal(",") + TrainingSession.interpretation + sa.literal(",")
        statement = statement.where(or_(TrainingSession.working_language == filters.language,
                                        interpretation.contains(f",{filters.language},", autoescape=True)))
    # Planned for its own words and filters at every run (a plan for any would be slower).
    return statement.execution_options(**PLANNED_EACH_TIME)


def upcoming_statement(today: date | None = None):
    """Published sessions (registrations open or closed) that have not ended, soonest first."""
    today = today or local_today()
    return (select(TrainingSession)
            .where(TrainingSession.status.in_(UPCOMING_STATUSES), TrainingSession.end_date >= today)
            .order_by(TrainingSession.start_date, TrainingSession.id))


def archive_statement(today: date | None = None):
    """Sessions that have ended, been completed or been cancelled, latest first."""
    today = today or local_today()
    return (select(TrainingSession)
            .where(TrainingSession.status.in_(PUBLIC_STATUSES),
                   or_(TrainingSession.end_date < today,
                       TrainingSession.status.in_((SessionStatus.COMPLETED, SessionStatus.CANCELLED))))
            .order_by(TrainingSession.start_date.desc(), TrainingSession.id.desc()))


def upcoming_sessions(limit: int = 4) -> list[TrainingSession]:
    """The next few upcoming sessions (home page)."""
    return list(db.session.scalars(upcoming_statement().limit(limit)))


def feed_sessions() -> list[TrainingSession]:
    """Every upcoming session, for the calendar feed."""
    return list(db.session.scalars(upcoming_statement()))


def may_see(user, session: TrainingSession) -> bool:
    """Drafts are for the office; every other status is public."""
    return session.status != SessionStatus.DRAFT or bool(user.is_authenticated and user.is_staff)


def get_session_for(user, session_id: int, *, with_days: bool = False, with_quotas: bool = False
                    ) -> TrainingSession:
    """The session if `user` may see it, else 404 (drafts do not exist for partners and visitors)."""
    statement = select(TrainingSession).where(TrainingSession.id == session_id)
    if with_days:
        statement = statement.options(selectinload(TrainingSession.days))
    if with_quotas:
        statement = statement.options(selectinload(TrainingSession.quotas))
    session = db.session.scalar(statement)
    if session is None or not may_see(user, session):
        abort_with(404, _("This session does not exist or is not published."))
    return session


#: What a session's page needs before its kept body can be used (see fragments.py): built once,
#: since building them cost more than running them.
_SESSION_ID = sa.bindparam("session_id")
_FACTS = select(TrainingSession.id, TrainingSession.status, TrainingSession.updated_at, TrainingSession.seats_taken,
                TrainingSession.start_date, TrainingSession.end_date, TrainingSession.registration_opens_at,
                TrainingSession.registration_deadline, TrainingSession.eligible_countries, TrainingSession.title_fr,
                TrainingSession.title_en, TrainingSession.title_vi, TrainingSession.title_km,
                TrainingSession.title_lo).where(TrainingSession.id == _SESSION_ID)
_DAYS = (select(SessionDay.id, SessionDay.date, SessionDay.part, SessionDay.programme)
         .where(SessionDay.session_id == _SESSION_ID).order_by(SessionDay.id))
_QUOTAS = (select(SessionQuota.agency_id, Agency.name, SessionQuota.country, SessionQuota.seats)
           .outerjoin(Agency, Agency.id == SessionQuota.agency_id)
           .where(SessionQuota.session_id == _SESSION_ID).order_by(SessionQuota.id))


@dataclass
class SessionFacts:
    """A session's row as far as a page's key and registration panel need it (an unsaved
    TrainingSession), its days as (id, date, part, programme), its quotas as (agency id,
    agency name, country, seats)."""

    session: TrainingSession
    days: tuple
    quotas: tuple


def session_facts(session_id: int) -> SessionFacts | None:
    """The facts a session's page shows, read as plain rows (three light queries, no objects
    loaded into the database session), or None when there is no such session."""
    connection = db.session.connection()
    ids = {"session_id": session_id}
    row = connection.execute(_FACTS, ids).first()
    if row is None:
        return None
    days = tuple(map(tuple, connection.execute(_DAYS, ids)))
    quotas = tuple(map(tuple, connection.execute(_QUOTAS, ids)))
    return SessionFacts(TrainingSession(**row._asdict()), days, quotas)
