"""Attendance rates: days present or late / days held (one rule for pages, exports, certificates)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from registrations.clock import local_today
from registrations.extensions import db
from registrations.models import Attendance, AttendanceStatus, SessionDay, TrainingSession


@dataclass(frozen=True)
class AttendanceSummary:
    """One registration's attendance in a session."""

    days_held: int
    days_attended: int

    @property
    def rate(self) -> float:
        """Share of held days attended, from 0.0 to 1.0 (0.0 when no day was held)."""
        return self.days_attended / self.days_held if self.days_held else 0.0

    @property
    def percent(self) -> int:
        return round(self.rate * 100)

    def reaches(self, threshold_percent: int) -> bool:
        """Whether the rate reaches a threshold given in percent (e.g. 80)."""
        return self.days_held > 0 and self.days_attended * 100 >= threshold_percent * self.days_held


def attended_statuses(session: TrainingSession) -> tuple[AttendanceStatus, ...]:
    """The marks that count as attended: present and late, and excused where the session says so."""
    statuses = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
    if session.excused_counts_as_attended:
        statuses += (AttendanceStatus.EXCUSED,)
    return statuses


def days_held(session: TrainingSession, today: date | None = None) -> int:
    """Number of the session's days that have started (all of them once it is over)."""
    today = today or local_today()
    return db.session.scalar(
        select(func.count()).select_from(SessionDay)
        .where(SessionDay.session_id == session.id, SessionDay.date <= today)
    ) or 0


def attendance_summaries(session: TrainingSession, registration_ids=None,
                         today: date | None = None) -> dict[int, AttendanceSummary]:
    """Attendance of each registration of a session, in two queries whatever its size.

    Registrations without any mark get a summary with zero days attended.
    """
    today = today or local_today()
    held = days_held(session, today)
    attended = func.sum(case((Attendance.status.in_(attended_statuses(session)), 1), else_=0))
    query = (
        select(Attendance.registration_id, attended)
        .join(SessionDay, SessionDay.id == Attendance.day_id)
        .where(SessionDay.session_id == session.id, SessionDay.date <= today)
        .group_by(Attendance.registration_id)
    )
    if registration_ids is not None:
        query = query.where(Attendance.registration_id.in_(list(registration_ids)))
    counts = dict(db.session.execute(query).all())
    ids = registration_ids if registration_ids is not None else counts.keys()
    return {rid: AttendanceSummary(days_held=held, days_attended=int(counts.get(rid) or 0)) for rid in ids}


def summaries_from_marks(session: TrainingSession, registration_ids, marks: dict[int, dict[int, AttendanceStatus]],
                         held_day_ids: set[int]) -> dict[int, AttendanceSummary]:
    """The same summaries as `attendance_summaries`, from marks already read ({registration id: {day id:
    status}}) and the ids of the days held, without a query (for a page that shows every mark anyway)."""
    attended = set(attended_statuses(session))
    held = len(held_day_ids)
    return {
        rid: AttendanceSummary(days_held=held, days_attended=sum(
            1 for day_id, status in marks.get(rid, {}).items() if day_id in held_day_ids and status in attended))
        for rid in registration_ids
    }
