"""What the attendance pages, sheets and exports show, each in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from sqlalchemy import and_, bindparam, case, exists, func, or_, select

from registrations.attendance.rates import AttendanceSummary, summaries_from_marks
from registrations.extensions import db
from registrations.models import (
    Agency,
    Attendance,
    AttendanceStatus,
    DayPart,
    Participant,
    Registration,
    RegistrationState,
    SessionDay,
    TrainingSession,
)
from registrations.text import fold


@dataclass
class SheetRow:
    """One participant on a day's sheet, with the current mark (None when not marked)."""

    registration: Registration
    participant: Participant
    agency: Agency
    mark: Attendance | None

    @property
    def status(self) -> AttendanceStatus | None:
        return self.mark.status if self.mark else None


@dataclass(slots=True)
class GridRow:
    """One participant across the session's days, with the attendance summary (plain values:
    a big session's grid has hundreds of rows)."""

    registration_id: int
    state: RegistrationState
    name_latin: str
    name_native: str
    locale: str
    rank: str
    #: The agency's name as shown: in the local language when there is one.
    agency: str
    country: str
    summary: AttendanceSummary
    marks: dict[int, AttendanceStatus] = field(default_factory=dict)

    @property
    def cancelled(self) -> bool:
        return self.state == RegistrationState.CANCELLED


@dataclass
class Grid:
    """The session's attendance: days held so far, one row per participant, the average."""

    session: TrainingSession
    days: list[SessionDay]
    rows: list[GridRow]
    today: date

    @cached_property
    def held(self) -> list[SessionDay]:
        return [day for day in self.days if day.date <= self.today]

    @cached_property
    def active_rows(self) -> list[GridRow]:
        return [row for row in self.rows if not row.cancelled]

    @cached_property
    def average_percent(self) -> int | None:
        """Mean attendance rate of the approved participants, once a day has been held."""
        rows = self.active_rows
        if not rows or not self.held:
            return None
        return round(sum(row.summary.rate for row in rows) / len(rows) * 100)

    def below_threshold(self, row: GridRow) -> bool:
        """Whether a participant's rate is under the certificate threshold (days held only)."""
        return bool(self.held) and not row.summary.reaches(self.session.attendance_threshold)

    @cached_property
    def below_count(self) -> int:
        return sum(1 for row in self.active_rows if self.below_threshold(row))


#: Order of a day's parts: morning, full day, afternoon (their stored names sort otherwise).
PART_ORDER = case((SessionDay.part == DayPart.MORNING, 0), (SessionDay.part == DayPart.AFTERNOON, 2), else_=1)


_SESSION_DAYS = (select(SessionDay).where(SessionDay.session_id == bindparam("session_id"))
                 .order_by(SessionDay.date, PART_ORDER))


def session_days(session_id: int) -> list[SessionDay]:
    """The session's days in order, mornings before afternoons (one query)."""
    return list(db.session.scalars(_SESSION_DAYS, {"session_id": session_id}))


def _people(query):
    return (
        query.join(Participant, Participant.id == Registration.participant_id)
        .join(Agency, Agency.id == Registration.agency_id)
        .order_by(Participant.name_latin, Registration.id)
    )


def sheet_rows(session_id: int, day_id: int) -> list[SheetRow]:
    """Every approved participant of the session with their mark of the day (one query)."""
    query = _people(
        select(Registration, Participant, Agency, Attendance)
        .outerjoin(Attendance, (Attendance.registration_id == Registration.id) & (Attendance.day_id == day_id))
        .where(Registration.session_id == session_id, Registration.state == RegistrationState.APPROVED)
    )
    return [SheetRow(*row) for row in db.session.execute(query).all()]


# The sheet's statements are built once, with parameters: building them for each request cost more
# than running them.
_SESSION, _DAY = bindparam("session_id"), bindparam("day_id")
_APPROVED = (Registration.session_id == _SESSION) & (Registration.state == RegistrationState.APPROVED)
_MARK_OF_DAY = (Attendance.registration_id == Registration.id) & (Attendance.day_id == _DAY)

_COUNTS = (select(Attendance.status, func.count()).select_from(Registration).outerjoin(Attendance, _MARK_OF_DAY)
           .where(_APPROVED).group_by(Attendance.status))


def sheet_counts(session_id: int, day_id: int) -> dict[AttendanceStatus | None, int]:
    """How many approved participants have each mark on a day, None for no mark (one query)."""
    return dict(db.session.execute(_COUNTS, {"session_id": session_id, "day_id": day_id}).all())


def _name_condition(text: str):
    """Accent- and case-insensitive match on the Latin name, or the name in the own script."""
    words = fold(text).split()
    native = Participant.name_native.contains(text.strip(), autoescape=True)
    if not words:
        return native
    return or_(and_(*[Participant.name_key.contains(word, autoescape=True) for word in words]), native)


def _approved(search: str = ""):
    query = select(Registration.id).join(Participant, Participant.id == Registration.participant_id).where(_APPROVED)
    return query.where(_name_condition(search)) if search else query


def sheet_matches(session_id: int, search: str) -> int:
    """How many approved participants a name search finds (one query)."""
    query = select(func.count()).select_from(_approved(search).subquery())
    return db.session.scalar(query, {"session_id": session_id}) or 0


def _sheet_page_statement(search: str = ""):
    """One page of approved participants chosen on their names alone, then their other columns."""
    chosen = (_approved(search).add_columns(Participant.name_latin.label("sort_name"))
              .order_by(Participant.name_latin, Registration.id)
              .offset(bindparam("offset")).limit(bindparam("limit")).subquery())
    return (
        select(Registration.id.label("registration_id"), Participant.name_latin, Participant.name_native,
               Participant.locale, Participant.rank, Agency.name.label("agency_name"),
               Agency.name_local.label("agency_local"), Attendance.status, Attendance.marked_at)
        .select_from(chosen)
        .join(Registration, Registration.id == chosen.c.id)
        .join(Participant, Participant.id == Registration.participant_id)
        .join(Agency, Agency.id == Registration.agency_id)
        .outerjoin(Attendance, _MARK_OF_DAY)
        .order_by(chosen.c.sort_name, chosen.c.id)
    )


_SHEET_PAGE = _sheet_page_statement()


def sheet_page(session_id: int, day_id: int, *, search: str = "", offset: int = 0, limit: int = 50) -> list:
    """One page of a day's sheet in name order, as plain rows (registration_id, name_latin, name_native,
    locale, rank, agency_name, agency_local, status, marked_at), in one query.

    The sheet's template unpacks the rows in this order: keep them in step."""
    statement = _sheet_page_statement(search) if search else _SHEET_PAGE
    return db.session.execute(statement, {"session_id": session_id, "day_id": day_id, "offset": offset,
                                          "limit": limit}).all()


_HAS_MARKS = exists().where(Attendance.registration_id == Registration.id)
_GRID_ROWS = (
    select(Registration.id, Registration.state, Participant.name_latin, Participant.name_native, Participant.locale,
           Participant.rank, func.coalesce(func.nullif(Agency.name_local, ""), Agency.name), Agency.country)
    .join(Participant, Participant.id == Registration.participant_id)
    .join(Agency, Agency.id == Registration.agency_id)
    .where(Registration.session_id == _SESSION,
           or_(Registration.state == RegistrationState.APPROVED,
               (Registration.state == RegistrationState.CANCELLED) & _HAS_MARKS))
    .order_by(Participant.name_latin, Registration.id)
)
_GRID_MARKS = (select(Attendance.registration_id, Attendance.day_id, Attendance.status)
               .join(SessionDay, SessionDay.id == Attendance.day_id)
               .where(SessionDay.session_id == _SESSION))


def grid(session: TrainingSession, today: date) -> Grid:
    """The session grid: approved participants, and cancelled ones who have marks (flagged).

    Three queries (days, people, marks); the rates are counted from the marks already read.
    """
    days = session_days(session.id)
    rows = db.session.execute(_GRID_ROWS, {"session_id": session.id}).all()
    marks: dict[int, dict[int, AttendanceStatus]] = {}
    if days:
        for registration_id, day_id, status in db.session.execute(_GRID_MARKS, {"session_id": session.id}):
            marks.setdefault(registration_id, {})[day_id] = status
    held = {day.id for day in days if day.date <= today}
    summaries = summaries_from_marks(session, [row[0] for row in rows], marks, held)
    grid_rows = [GridRow(*row, summary=summaries[row[0]], marks=marks.get(row[0], {})) for row in rows]
    return Grid(session=session, days=days, rows=grid_rows, today=today)
