"""The issue's interleaving on PostgreSQL, whatever database the rest of the suite runs on."""

import pytest
from flask_migrate import upgrade
from sqlalchemy.orm import Session

from app import create_app
from registrations.extensions import db
from registrations.models import SessionDay, SessionKind, SessionStatus, Theme, TrainingSession


@pytest.fixture
def postgres_app(private_postgres):
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": private_postgres.create_database("cache")})
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def _session(title: str) -> int:
    from datetime import date, timedelta

    start = date.today() + timedelta(days=30)
    session = TrainingSession(title_fr=title, kind=SessionKind.COURSE, theme=Theme.DRUGS, city="Hà Nội",
                              country="VN", start_date=start, end_date=start, capacity=20, eligible_countries="VN",
                              status=SessionStatus.PUBLISHED, search_text=title.lower())
    session.days = [SessionDay(date=start)]
    db.session.add(session)
    db.session.commit()
    return session.id


def _catalogue(app) -> str:
    db.session.remove()  # each page reads afresh, as a server's request does
    return app.test_client().get("/sessions").get_data(as_text=True)


def test_a_change_committed_after_a_later_one_still_shows(postgres_app):
    """A changes session X and takes its time stamp, B changes session Y and commits, the
    catalogue is rendered and kept, then A commits. With the former key (the latest updated_at
    and the number of sessions) the key did not change at A's commit: X's old seats stayed."""
    x, y = _session("Session X"), _session("Session Y")
    assert _catalogue(postgres_app).count("20 places restantes sur 20") == 2
    with Session(db.engine) as a, Session(db.engine) as b:
        a.get(TrainingSession, x, with_for_update=True).seats_taken = 5
        a.flush()  # A's updated_at is taken now, before B's
        b.get(TrainingSession, y, with_for_update=True).seats_taken = 3
        b.commit()
        between = _catalogue(postgres_app)
        assert "17 places restantes sur 20" in between and "20 places restantes sur 20" in between
        a.commit()
    after = _catalogue(postgres_app)
    assert "15 places restantes sur 20" in after and "17 places restantes sur 20" in after
