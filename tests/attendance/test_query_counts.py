"""The sheet, the grid, the check-in page and the exports run a fixed number of queries,
whether the session has 10 or 300 participants and 1 or 20 days."""

from datetime import timedelta

import pytest

from registrations.enrolment.seats import recount_seats_taken
from registrations.models import Attendance, AttendanceStatus, Participant, Registration, RegistrationState, SessionDay

SIZES = [(10, 1), (300, 20)]


@pytest.fixture
def filled(db, make_session, make_agency, today):
    """filled(participants, days) -> a session whose every held day is marked for everyone."""
    statuses = list(AttendanceStatus)

    def make(participants: int, days: int):
        session = make_session(days=days, start=today - timedelta(days=days - 1), capacity=max(participants, 20))
        agency = make_agency("KH")
        people = [Participant(agency_id=agency.id, name_latin=f"Person {n:03d}", name_native=f"ស្រី {n}")
                  for n in range(participants)]
        db.session.add_all(people)
        db.session.flush()
        registrations = [Registration(session_id=session.id, participant_id=p.id, agency_id=agency.id, country="KH",
                                      state=RegistrationState.APPROVED, personal_code=f"C{n:05d}")
                         for n, p in enumerate(people)]
        db.session.add_all(registrations)
        db.session.flush()
        day_ids = [d.id for d in db.session.query(SessionDay).filter_by(session_id=session.id)]
        db.session.add_all(Attendance(registration_id=r.id, day_id=d, status=statuses[(r.id + d) % 4])
                           for r in registrations for d in day_ids)
        recount_seats_taken([session.id])
        db.session.commit()
        return session, day_ids

    return make


def _queries(client, count_queries, url):
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


@pytest.mark.parametrize("page", ["grid", "sheet", "sheet_page_2", "sheet_search", "checkin", "csv", "xlsx",
                                  "pdf", "offline"])
def test_pages_run_a_fixed_number_of_queries(app, organiser_client, count_queries, filled, page):
    # Sheet pages only partly filled at both sizes (10 and 300 people; the second page holds 100),
    # so that a query per row of a page would change the count.
    app.config["ATTENDANCE_SHEET_PER_PAGE"] = 200 if page == "sheet_page_2" else 400
    counts = []
    for participants, days in SIZES:
        session, day_ids = filled(participants, days)
        url = {
            "grid": f"/manage/sessions/{session.id}/attendance",
            "sheet": f"/manage/sessions/{session.id}/attendance/{day_ids[-1]}",
            "sheet_page_2": f"/manage/sessions/{session.id}/attendance/{day_ids[-1]}?page=2",
            "sheet_search": f"/manage/sessions/{session.id}/attendance/{day_ids[-1]}?q=person+00",
            "checkin": f"/manage/sessions/{session.id}/checkin",
            "csv": f"/manage/sessions/{session.id}/attendance.csv",
            "xlsx": f"/manage/sessions/{session.id}/attendance.xlsx",
            "pdf": f"/manage/sessions/{session.id}/attendance/{day_ids[-1]}/sign-in.pdf",
            "offline": f"/manage/sessions/{session.id}/attendance/{day_ids[-1]}/offline.json",
        }[page]
        counts.append(_queries(organiser_client, count_queries, url))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 8, counts


def test_saving_a_mark_is_one_small_transaction(organiser_client, count_queries, filled):
    from registrations.webhooks.events import active_endpoints

    active_endpoints()  # the webhook endpoints are read once per process and 30 s, not per mark
    counts = []
    for participants, days in SIZES:
        session, day_ids = filled(participants, days)
        registration_id = Registration.query.filter_by(session_id=session.id).first().id
        url = f"/manage/sessions/{session.id}/attendance/{day_ids[0]}/mark"
        with count_queries() as statements:
            response = organiser_client.post(url, data={"registration_id": registration_id, "status": "absent"})
        assert response.status_code == 302
        counts.append(len(statements))
    # 11: the mark, its audit, the login's last-seen time… and the office version that keeps the
    # signed-in readers' pages (registrations/kept_pages.py), bumped as the last statement.
    assert counts[0] == counts[1] and counts[0] <= 11, counts
