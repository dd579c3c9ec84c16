"""What the attendance pages, sheets and exports show, each in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import case, exists, or_, select

from registrations.attendance.rates import AttendanceSummary, attendance_summaries
from registrations.errors import abort_with
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


@dataclass
class GridRow:
    """One participant across the session's days, with the attendance summary."""

    registration: Registration
    participant: Participant
    agency: Agency
    summary: AttendanceSummary
    marks: dict[int, AttendanceStatus] = field(default_factory=dict)

    @property
    def cancelled(self) -> bool:
        return self.registration.state == RegistrationState.CANCELLED


@dataclass
class Grid:
    """The session's attendance: days held so far, one row per participant, the average."""

    session: TrainingSession
    days: list[SessionDay]
    rows: list[GridRow]
    today: date

    @property
    def held(self) -> list[SessionDay]:
        return [day for day in self.days if day.date <= self.today]

    @property
    def active_rows(self) -> list[GridRow]:
        return [row for row in self.rows if not row.cancelled]

    @property
    def average_percent(self) -> int | None:
        """Mean attendance rate of the approved participants, once a day has been held."""
        rows = self.active_rows
        if not rows or not self.held:
            return None
        return round(sum(row.summary.rate for row in rows) / len(rows) * 100)

    def below_threshold(self, row: GridRow) -> bool:
        """Whether a participant's rate is under the certificate threshold (days held only)."""
        return bool(self.held) and not row.summary.reaches(self.session.attendance_threshold)

    @property
    def below_count(self) -> int:
        return sum(1 for row in self.active_rows if self.below_threshold(row))


def session_or_404(session_id: int) -> TrainingSession:
    """The training session with this id, or a 404 page."""
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        abort_with(404, _("This session does not exist."))
    return session


#: Order of a day's parts: morning, full day, afternoon (their stored names sort otherwise).
PART_ORDER = case((SessionDay.part == DayPart.MORNING, 0), (SessionDay.part == DayPart.AFTERNOON, 2), else_=1)


def session_days(session_id: int) -> list[SessionDay]:
    """The session's days in order, mornings before afternoons (one query)."""
    return list(db.session.scalars(
        select(SessionDay).where(SessionDay.session_id == session_id).order_by(SessionDay.date, PART_ORDER)
    ))


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


def grid(session: TrainingSession, today: date) -> Grid:
    """The session grid: approved participants, and cancelled ones who have marks (flagged)."""
    days = session_days(session.id)
    has_marks = exists().where(Attendance.registration_id == Registration.id)
    rows = db.session.execute(_people(
        select(Registration, Participant, Agency)
        .where(Registration.session_id == session.id,
               or_(Registration.state == RegistrationState.APPROVED,
                   (Registration.state == RegistrationState.CANCELLED) & has_marks))
    )).all()
    marks: dict[int, dict[int, AttendanceStatus]] = {}
    if days:
        for registration_id, day_id, status in db.session.execute(
            select(Attendance.registration_id, Attendance.day_id, Attendance.status)
            .where(Attendance.day_id.in_([day.id for day in days]))
        ):
            marks.setdefault(registration_id, {})[day_id] = status
    summaries = attendance_summaries(session, [row[0].id for row in rows], today=today)
    grid_rows = [
        GridRow(registration, participant, agency, summaries[registration.id], marks.get(registration.id, {}))
        for registration, participant, agency in rows
    ]
    return Grid(session=session, days=days, rows=grid_rows, today=today)
