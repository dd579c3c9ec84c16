"""Demo attendance: marks for the days already held of every session that has started.

Completed sessions get all their days, sessions running now the days before today (today's
marks are left for the organiser to take). A few participants come late, a few are excused
and some miss enough days to fall below the certificate threshold. Only missing cells are
added, so running it again changes nothing.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from registrations.attendance.queries import PART_ORDER
from registrations.attendance.services import local_today
from registrations.extensions import db
from registrations.models import (
    Attendance,
    AttendanceStatus,
    Participant,
    Registration,
    RegistrationState,
    Role,
    SessionDay,
    SessionStatus,
    TrainingSession,
    User,
)

#: Sessions whose held days get marks.
MARKED_STATUSES = (SessionStatus.PUBLISHED, SessionStatus.CLOSED, SessionStatus.COMPLETED)


def demo_status(person: int, day: int, days: int) -> AttendanceStatus:
    """The demo mark of the n-th participant (by name) on the n-th day of a session."""
    if person % 6 == 3 and days > 1 and day % 2 == 1:
        return AttendanceStatus.ABSENT  # misses every other day: below the threshold
    if person % 6 == 5 and day == days - 1 and days > 2:
        return AttendanceStatus.EXCUSED
    if person % 4 == 1 and day == 0:
        return AttendanceStatus.LATE
    return AttendanceStatus.PRESENT


def seed() -> dict:
    """Add the missing marks of the days held so far (today excluded)."""
    today = local_today()
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    organiser_id = db.session.scalar(
        select(User.id).where(User.role == Role.ORGANISER, User.active.is_(True)).order_by(User.id).limit(1)
    )
    sessions = db.session.scalars(
        select(TrainingSession).where(TrainingSession.status.in_(MARKED_STATUSES),
                                      TrainingSession.start_date < today)
        .order_by(TrainingSession.start_date, TrainingSession.id)
    ).all()
    created = 0
    for session in sessions:
        days = db.session.scalars(
            select(SessionDay).where(SessionDay.session_id == session.id, SessionDay.date < today)
            .order_by(SessionDay.date, PART_ORDER)
        ).all()
        registrations = db.session.scalars(
            select(Registration.id)
            .join(Participant, Participant.id == Registration.participant_id)
            .where(Registration.session_id == session.id, Registration.state == RegistrationState.APPROVED)
            .order_by(Participant.name_latin, Registration.id)
        ).all()
        if not days or not registrations:
            continue
        existing = set(db.session.execute(
            select(Attendance.registration_id, Attendance.day_id)
            .where(Attendance.day_id.in_([day.id for day in days]))
        ).all())
        for person, registration_id in enumerate(registrations):
            for number, day in enumerate(days):
                if (registration_id, day.id) in existing:
                    continue
                status = demo_status(person, number, len(days))
                arrival = time(8, 40) if status == AttendanceStatus.LATE else time(8, 10)
                if day.part.value == "afternoon":
                    arrival = time(13, 40)
                marked_at = datetime.combine(day.date, arrival, tzinfo=zone) + timedelta(minutes=person % 15)
                db.session.add(Attendance(registration_id=registration_id, day_id=day.id, status=status,
                                          marked_by_id=organiser_id, marked_at=marked_at))
                created += 1
    db.session.commit()
    return {"attendance marks": created}
