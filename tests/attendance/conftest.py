"""Fixtures of the attendance tests: a session running today, with approved participants."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from registrations.attendance.services import local_today
from registrations.models import SessionDay


@pytest.fixture
def today(app):
    """Today in the office's timezone (session days are local dates)."""
    return local_today()


@pytest.fixture
def days_of(db):
    """The days of a session, in order: days_of(session) -> [SessionDay, …]."""

    def days(session):
        return list(db.session.scalars(
            select(SessionDay).where(SessionDay.session_id == session.id).order_by(SessionDay.date, SessionDay.part)
        ))

    return days


@pytest.fixture
def running(make_session, make_registration, make_participant, make_agency, days_of, today):
    """A three-day session that started yesterday (yesterday, today, tomorrow) with three
    approved participants from Vietnam, Cambodia and Laos, each with a personal code."""
    session = make_session(days=3, start=today - timedelta(days=1), title_fr="Gestion d'une scène de crime",
                           city="Phnom Penh", country="KH")
    vn = make_agency("VN", name="Bộ Công an", name_local="Cục Cảnh sát hình sự, Bộ Công an")
    kh = make_agency("KH", name="Police nationale cambodgienne", name_local="អគ្គស្នងការដ្ឋាននគរបាលជាតិ")
    la = make_agency("LA", name="Ministère de la Sécurité publique", name_local="ກະຊວງປ້ອງກັນຄວາມສະຫງົບ")
    people = [
        make_participant(vn, name_latin="Nguyen Thi Huong", name_native="Nguyễn Thị Hương", rank="Trung tá",
                         locale="vi"),
        make_participant(kh, name_latin="Srey Pich", name_native="ស្រី ពេជ្រ", rank="Major", locale="km"),
        make_participant(la, name_latin="Khamla Phommachanh", name_native="ເຂົ້າໜຽວ ພົມມະຈັນ",
                         rank="Captain", locale="lo"),
    ]
    codes = ["K7M2QX", "P4W9TZ", "B3N8RC"]
    registrations = [make_registration(session, person, personal_code=code) for person, code in zip(people, codes,
                                                                                                   strict=True)]
    return {"session": session, "days": days_of(session), "registrations": registrations, "people": people,
            "codes": codes}
