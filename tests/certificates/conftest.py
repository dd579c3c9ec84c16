"""Fixtures for certificates: ended sessions, attendance marks, eligible registrations."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from registrations.certificates.services import issue
from registrations.models import Attendance, AttendanceStatus, SessionDay, SessionStatus
from registrations.transaction import run


@pytest.fixture
def ended_session(make_session):
    """A completed session whose days are all in the past: ended_session(days=4, …)."""

    def make(days: int = 4, **fields):
        fields.setdefault("status", SessionStatus.COMPLETED)
        return make_session(days=days, start=date.today() - timedelta(days=days + 10), **fields)

    return make


@pytest.fixture
def mark(db):
    """Mark a registration present on its first `present` days and `other` on the rest."""

    def mark_days(registration, present: int, other: AttendanceStatus = AttendanceStatus.ABSENT):
        days = db.session.scalars(
            select(SessionDay).where(SessionDay.session_id == registration.session_id).order_by(SessionDay.date)
        ).all()
        for index, day in enumerate(days):
            db.session.add(Attendance(registration_id=registration.id, day_id=day.id,
                                      status=AttendanceStatus.PRESENT if index < present else other))
        db.session.commit()
        return registration

    return mark_days


@pytest.fixture
def attendee(db, make_participant, make_registration, mark):
    """An approved registration with attendance: attendee(session, agency, present=None, **person).

    `present=None` marks every day present.
    """

    def make(session, agency=None, present: int | None = None, **person):
        participant = make_participant(agency, **person)
        registration = make_registration(session, participant)
        held = db.session.scalar(select(func.count()).where(SessionDay.session_id == session.id))
        return mark(registration, held if present is None else present)

    return make


@pytest.fixture
def vn_agency(partner_user, db):
    """The Vietnamese agency of `partner_user` (the `partner_client`)."""
    from registrations.models import Agency

    return db.session.get(Agency, partner_user.agency_id)


@pytest.fixture
def kh_agency(partner_kh_user, db):
    """The Cambodian agency of `partner_kh_user` (the `partner_kh_client`)."""
    from registrations.models import Agency

    return db.session.get(Agency, partner_kh_user.agency_id)


@pytest.fixture
def issued(app, ended_session, attendee, organiser_user):
    """The certificate of a Khmer reader (3 of 4 days, threshold 70 %) of a Phnom Penh session."""
    session = ended_session(days=4, title_fr="Gestion d'une scène de crime", city="Phnom Penh", country="KH",
                            attendance_threshold=70)
    registration = attendee(session, present=3, name_latin="Srey Pich", name_native="ស្រី ពេជ្រ", locale="km")
    return run(issue, registration.id, actor=organiser_user)[0]
