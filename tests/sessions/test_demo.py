"""The demo sessions: the seed page's three 2013 actions and a live programme around today."""

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from registrations.demo import seed_demo
from registrations.models import SessionDay, SessionQuota, SessionStatus, TrainingSession
from registrations.sessions.base import local_today
from registrations.sessions.queries import upcoming_statement


def _sessions(db) -> list[TrainingSession]:
    return list(db.session.scalars(select(TrainingSession).options(selectinload(TrainingSession.days),
                                                                    selectinload(TrainingSession.quotas))))


def test_seeding_twice_changes_nothing(db):
    first = seed_demo()
    assert first["sessions"] >= 14
    counts = (db.session.scalar(select(func.count()).select_from(TrainingSession)),
              db.session.scalar(select(func.count()).select_from(SessionDay)))
    second = seed_demo()
    assert second["sessions"] == 0 and second["session days"] == 0
    assert counts == (db.session.scalar(select(func.count()).select_from(TrainingSession)),
                      db.session.scalar(select(func.count()).select_from(SessionDay)))


def test_the_demo_programme(db):
    seed_demo()
    sessions = _sessions(db)
    by_title = {s.title_fr: s for s in sessions}
    today = local_today()

    for title, start, city in [("Protection des mineurs", date(2013, 7, 15), "Hà Nội"),
                               ("Conférence régionale sur la lutte contre le trafic des faux médicaments",
                                date(2013, 9, 24), "Hà Nội"),
                               ("Gestion d'une scène de crime", date(2013, 10, 14), "Phnom Penh")]:
        session = by_title[title]
        assert session.status == SessionStatus.COMPLETED and session.start_date == start and session.city == city
        assert session.days

    upcoming = [s for s in db.session.scalars(upcoming_statement()) if s.status == SessionStatus.PUBLISHED]
    assert len(upcoming) >= 8
    assert {s.theme.value for s in upcoming} >= {"migration", "trafficking", "drugs", "counterfeits",
                                                 "civil_security"}
    assert {s.city for s in upcoming} == {"Hà Nội", "Hồ Chí Minh", "Phnom Penh", "Vientiane"}
    for session in upcoming:
        local = {"VN": "title_vi", "KH": "title_km", "LA": "title_lo"}[session.country]
        assert getattr(session, local) and session.title_en and session.description_fr
        assert all(day.programme for day in session.days if day.part != "afternoon")
        assert session.registration_is_open() or session.registration_opens_at.date() > today
    assert any(s.auto_approve for s in upcoming) and any(s.confirm_promotions for s in upcoming)
    assert any(q.country for s in upcoming for q in s.quotas) and any(q.agency_id for s in upcoming for q in s.quotas)
    assert any(len({d.date for d in s.days}) < len(s.days) for s in upcoming)  # half-days somewhere

    assert [s.title_fr for s in sessions if s.status == SessionStatus.DRAFT] == [
        "Renseignement criminel et réseaux de passeurs"]
    running = [s for s in sessions if s.start_date == today - timedelta(days=1)]
    assert len(running) == 1 and running[0].end_date == today + timedelta(days=2)
    assert running[0].status in (SessionStatus.CLOSED, SessionStatus.PUBLISHED)
    ended = [s for s in sessions if s.end_date == today - timedelta(days=7)]
    assert len(ended) == 1 and ended[0].status == SessionStatus.COMPLETED
    assert db.session.scalar(select(func.count()).select_from(SessionQuota)) >= 4
