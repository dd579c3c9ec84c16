"""Attendance is for the office only: partners are refused, anonymous visitors sent to log in."""

import pytest

from registrations.models import Agency, Attendance, Role


def _urls(running):
    session_id, day_id = running["session"].id, running["days"][0].id
    base = f"/manage/sessions/{session_id}"
    gets = [f"{base}/attendance", f"{base}/attendance/{day_id}", f"{base}/checkin",
            f"{base}/attendance/{day_id}/sign-in.pdf", f"{base}/attendance.csv", f"{base}/attendance.xlsx"]
    posts = [(f"{base}/attendance/{day_id}/mark", {"registration_id": running["registrations"][0].id,
                                                    "status": "present"}),
             (f"{base}/attendance/{day_id}/mark-all", {"scope": "all"}),
             (f"{base}/checkin", {"code": running["codes"][0]})]
    return gets, posts


@pytest.mark.parametrize("who", ["partner_client", "partner_kh_client"])
def test_partners_are_refused_everywhere_and_nothing_is_written(request, db, running, who):
    client = request.getfixturevalue(who)
    gets, posts = _urls(running)
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url, data in posts:
        assert client.post(url, data=data).status_code == 403, url
    assert db.session.query(Attendance).count() == 0


def test_partner_of_the_participants_own_agency_is_refused_too(app, db, running, make_user):
    agency_id = running["people"][0].agency_id
    partner = make_user(Role.PARTNER, agency=db.session.get(Agency, agency_id))
    client = app.test_client().login_as(partner)
    gets, _posts = _urls(running)
    assert all(client.get(url).status_code == 403 for url in gets)


def test_anonymous_visitors_are_sent_to_log_in(client, db, running):
    gets, posts = _urls(running)
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/login?next=" in response.headers["Location"], url
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert db.session.query(Attendance).count() == 0


@pytest.mark.parametrize("who", ["organiser_client", "admin_client"])
def test_staff_may_use_every_page(request, running, who):
    client = request.getfixturevalue(who)
    gets, _posts = _urls(running)
    for url in gets:
        assert client.get(url).status_code == 200, url


def test_unknown_session_is_404(organiser_client):
    for url in ["/manage/sessions/999/attendance", "/manage/sessions/999/attendance/1", "/manage/sessions/999/checkin",
                "/manage/sessions/999/attendance.csv", "/manage/sessions/999/attendance/1/sign-in.pdf"]:
        assert organiser_client.get(url).status_code == 404, url
