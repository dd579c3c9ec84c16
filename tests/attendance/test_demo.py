"""Demo attendance: held days of started sessions are marked, today's are left open, idempotent."""

from datetime import timedelta

from sqlalchemy import func, select

from registrations.attendance.queries import grid
from registrations.demo import attendance as demo_attendance
from registrations.models import Attendance, AttendanceStatus, RegistrationState, SessionStatus


def test_demo_marks_held_days_only_and_is_idempotent(db, make_session, make_registration, make_participant,
                                                      organiser_user, days_of, today):
    completed = make_session(days=5, start=today - timedelta(days=40), status=SessionStatus.COMPLETED)
    running = make_session(days=3, start=today - timedelta(days=1), status=SessionStatus.CLOSED)
    future = make_session(days=2, start=today + timedelta(days=10))
    draft = make_session(days=2, start=today - timedelta(days=20), status=SessionStatus.DRAFT)
    for session in (completed, running, future, draft):
        for n in range(8):
            make_registration(session, make_participant(name_latin=f"Person {n}"))
    cancelled = make_registration(completed, state=RegistrationState.CANCELLED)

    first = demo_attendance.seed()
    assert first == {"attendance marks": 8 * 5 + 8 * 1}
    marked_days = set(db.session.scalars(select(Attendance.day_id).distinct()))
    assert marked_days == {d.id for d in days_of(completed)} | {days_of(running)[0].id}  # yesterday, not today
    assert db.session.scalar(select(func.count()).where(Attendance.registration_id == cancelled.id)) == 0
    assert set(db.session.scalars(select(Attendance.marked_by_id).distinct())) == {organiser_user.id}

    statuses = set(db.session.scalars(select(Attendance.status).distinct()))
    assert statuses == set(AttendanceStatus)
    data = grid(completed, today)
    assert 0 < data.below_count < len(data.rows)

    assert demo_attendance.seed() == {"attendance marks": 0}
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 48


def test_demo_works_without_any_session(db):
    assert demo_attendance.seed() == {"attendance marks": 0}
