"""Calendars parse as iCalendar; the catalogue and session page run a fixed number of queries."""

from datetime import date, timedelta

import pytest
from flask_babel import refresh
from icalendar import Calendar

from registrations.models import (
    DayPart,
    SessionDay,
    SessionKind,
    SessionQuota,
    SessionStatus,
    Theme,
    TrainingSession,
)


def _events(body: bytes) -> list:
    calendar = Calendar.from_ical(body)
    return list(calendar.walk("VEVENT"))


def test_a_session_calendar_file(client, make_session):
    session = make_session(title_fr="Gestion de crise", title_vi="Quản lý khủng hoảng", venue="Bộ Công an",
                           start=date(2030, 3, 4), days=3)
    response = client.get(f"/sessions/{session.id}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    [event] = _events(response.data)
    assert str(event["summary"]) == "Gestion de crise"
    assert event.decoded("dtstart") == date(2030, 3, 4) and event.decoded("dtend") == date(2030, 3, 7)
    assert "Hà Nội" in str(event["location"]) and "Bộ Công an" in str(event["location"])
    assert str(event["url"]).endswith(f"/sessions/{session.id}")
    assert str(event["status"]) == "CONFIRMED"
    client.set_cookie("lang", "vi")
    refresh()  # the test and its requests share one app context: forget the cached language
    [event] = _events(client.get(f"/sessions/{session.id}.ics").data)
    assert str(event["summary"]) == "Quản lý khủng hoảng"


def test_a_cancelled_session_is_cancelled_in_calendars(client, make_session):
    session = make_session(status=SessionStatus.CANCELLED, cancel_reason="Typhon")
    [event] = _events(client.get(f"/sessions/{session.id}.ics").data)
    assert str(event["status"]) == "CANCELLED"


def test_the_feed_holds_every_upcoming_published_session(client, make_session):
    today = date.today()
    upcoming = [make_session(title_fr=f"À venir {n}", start=today + timedelta(days=10 * n + 1)) for n in range(3)]
    make_session(title_fr="Passée", start=today - timedelta(days=40), status=SessionStatus.COMPLETED)
    make_session(title_fr="Brouillon", status=SessionStatus.DRAFT)
    response = client.get("/sessions/calendar.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["version"]) == "2.0" and calendar["prodid"]
    events = _events(response.data)
    assert sorted(str(e["summary"]) for e in events) == sorted(s.title_fr for s in upcoming)
    assert len({str(e["uid"]) for e in events}) == 3


def _bulk_sessions(db, count: int, days: int = 3) -> list[int]:
    """Insert many published sessions at once (the factories commit one by one)."""
    start = date.today() + timedelta(days=20)
    sessions = [TrainingSession(title_fr=f"Session en masse {n}", title_vi=f"Khóa học {n}", kind=SessionKind.COURSE,
                                theme=Theme.DRUGS, city="Hà Nội", country="VN", start_date=start,
                                end_date=start + timedelta(days=days - 1), capacity=30,
                                status=SessionStatus.PUBLISHED, eligible_countries="VN,KH,LA")
                for n in range(count)]
    db.session.add_all(sessions)
    db.session.flush()
    db.session.add_all([SessionDay(session_id=s.id, date=s.start_date + timedelta(days=d), part=DayPart.FULL)
                        for s in sessions for d in range(days)])
    db.session.commit()
    return [s.id for s in sessions]


def _queries(count_queries, client, url) -> int:
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("url", ["/sessions", "/sessions?q=ha+noi&theme=drugs", "/sessions/archive",
                                 "/manage/sessions", "/"])
def test_lists_run_the_same_queries_for_10_and_500_sessions(app, db, organiser_client, count_queries, url):
    app.config["ITEMS_PER_PAGE"] = 600  # every list only partly filled, with 10 and with 500 sessions
    _bulk_sessions(db, 10)
    small = _queries(count_queries, organiser_client, url)
    _bulk_sessions(db, 490)
    large = _queries(count_queries, organiser_client, url)
    assert small == large
    assert small <= 5


@pytest.mark.parametrize("reader", ["client", "partner_client", "organiser_client"])
def test_the_session_page_runs_the_same_queries_whatever_the_data(request, db, count_queries, make_agency,
                                                                  make_registration, make_participant, reader):
    client = request.getfixturevalue(reader)
    agency = make_agency("VN")
    [small] = _bulk_sessions(db, 1, days=2)
    db.session.add(SessionQuota(session_id=small, agency_id=agency.id, seats=2))
    db.session.commit()
    [large] = _bulk_sessions(db, 1, days=30)
    db.session.add_all([SessionQuota(session_id=large, agency_id=make_agency("VN").id, seats=1) for _ in range(5)]
                       + [SessionQuota(session_id=large, country="KH", seats=3)])
    db.session.commit()
    _bulk_sessions(db, 500)
    session = db.session.get(TrainingSession, large)
    session.capacity = 60  # room for the 50 approved registrations below
    db.session.commit()
    for _ in range(50):
        make_registration(session, make_participant(agency))
    client.get("/")  # the login is found valid under the office version once, before both
    assert _queries(count_queries, client, f"/sessions/{small}") == \
        _queries(count_queries, client, f"/sessions/{large}")
    if reader == "organiser_client":
        assert _queries(count_queries, client, f"/manage/sessions/{small}") == \
            _queries(count_queries, client, f"/manage/sessions/{large}")


def test_the_feed_runs_one_query_for_the_sessions(db, client, count_queries):
    _bulk_sessions(db, 10)
    small = _queries(count_queries, client, "/sessions/calendar.ics")
    _bulk_sessions(db, 300)
    assert _queries(count_queries, client, "/sessions/calendar.ics") == small == 1
