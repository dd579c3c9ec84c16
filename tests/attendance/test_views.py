"""The attendance pages: the day sheet with and without JavaScript, marks, check-in, the grid."""

from datetime import timedelta

import pytest
from flask_babel import refresh
from sqlalchemy import func, select

from registrations.attendance import services
from registrations.models import Attendance, AttendanceStatus, AuditEvent, RegistrationState
from registrations.transaction import run


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Attendance))


def _json_post(client, url, body):
    return client.post(url, json=body, csrf=False,
                       headers={"X-CSRFToken": client.csrf_token(), "Accept": "application/json"})


def _urls(running, day=0):
    base = f"/manage/sessions/{running['session'].id}/attendance/{running['days'][day].id}"
    return base, base + "/mark", base + "/mark-all"


def test_sheet_lists_every_approved_participant_with_four_buttons(organiser_client, running, make_registration):
    make_registration(running["session"], state=RegistrationState.PENDING)
    sheet, mark_url, _ = _urls(running)
    page = organiser_client.get(sheet).get_data(as_text=True)
    assert page.count('class="sheet-row') == 3
    for name in ("Nguyễn Thị Hương", "ស្រី ពេជ្រ", "ເຂົ້າໜຽວ ພົມມະຈັນ", "Cục Cảnh sát hình sự, Bộ Công an"):
        assert name in page
    assert page.count('name="status" value="present"') == 3
    assert f'action="{mark_url}"' in page and 'name="csrf_token"' in page
    assert 'aria-live="polite"' in page and "js/attendance.js" in page
    assert "Présent" in page and "Excusé" in page  # French by default


def test_a_mark_without_javascript_redirects_to_the_row(organiser_client, db, running):
    sheet, mark_url, _ = _urls(running)
    reg = running["registrations"][1]
    response = organiser_client.post(mark_url, data={"registration_id": reg.id, "status": "late"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{sheet}?saved={reg.id}#r-{reg.id}")
    assert services.day_marks(running["days"][0].id) == {reg.id: AttendanceStatus.LATE}
    page = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    row = page.split(f'id="r-{reg.id}"')[1].split("</li>")[0]
    assert 'value="late"' in row and row.count('aria-pressed="true"') == 1
    assert "Enregistré" in row


def test_a_mark_with_javascript_answers_json_with_the_current_state(organiser_client, admin_client, db, running):
    _, mark_url, _ = _urls(running)
    first, second, _third = running["registrations"]
    # Another organiser saved a mark meanwhile: the answer carries it too.
    _json_post(admin_client, mark_url, {"registration_id": second.id, "status": "absent"})
    response = _json_post(organiser_client, mark_url, {"registration_id": first.id, "status": "present"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] and body["status"] == "present" and body["label"] == "Présent" and body["changed"]
    assert body["marks"] == {str(first.id): "present", str(second.id): "absent"}
    assert len(body["marked_at"]) == 5 and body["message"] == "Enregistré"


def test_a_json_mark_without_the_csrf_header_is_refused(organiser_client, db, running):
    _, mark_url, _ = _urls(running)
    response = organiser_client.post(mark_url, json={"registration_id": running["registrations"][0].id,
                                                     "status": "present"},
                                     csrf=False, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert _count(db) == 0


@pytest.mark.parametrize("body,status", [
    ({"registration_id": "abc", "status": "present"}, 400),
    ({"status": "present"}, 400),
    ({"registration_id": 10 ** 12, "status": "present"}, 400),
    ({"registration_id": "REG", "status": "maybe"}, 400),
    ({"registration_id": 999999, "status": "present"}, 404),
])
def test_bad_json_marks_get_a_translated_message_and_write_nothing(organiser_client, db, running, body, status):
    _, mark_url, _ = _urls(running)
    if body.get("registration_id") == "REG":
        body = dict(body, registration_id=running["registrations"][0].id)
    response = _json_post(organiser_client, mark_url, body)
    assert response.status_code == status
    assert response.get_json()["message"]
    assert _count(db) == 0


def test_a_json_body_that_is_not_an_object_is_refused(organiser_client, db, running):
    _, mark_url, _ = _urls(running)
    response = _json_post(organiser_client, mark_url, ["present"])
    assert response.status_code == 400 and _count(db) == 0


def test_bad_form_marks_get_an_error_page(organiser_client, db, running, make_session, make_registration, days_of):
    _, mark_url, _ = _urls(running)
    reg = running["registrations"][0]
    response = organiser_client.post(mark_url, data={"registration_id": reg.id, "status": "presque"})
    assert response.status_code == 400 and "Marque de présence inconnue" in response.get_data(as_text=True)
    other = make_session(days=1, start=running["days"][0].date)
    foreign_day = days_of(other)[0].id
    response = organiser_client.post(f"/manage/sessions/{running['session'].id}/attendance/{foreign_day}/mark",
                                     data={"registration_id": reg.id, "status": "present"})
    assert response.status_code == 404
    tampered = make_registration(other)
    response = organiser_client.post(mark_url, data={"registration_id": tampered.id, "status": "present"})
    assert response.status_code == 404
    _, future_url, _ = _urls(running, day=2)
    response = organiser_client.post(future_url, data={"registration_id": reg.id, "status": "present"})
    assert response.status_code == 409 and "pas encore commencé" in response.get_data(as_text=True)
    assert organiser_client.post(f"/manage/sessions/999999/attendance/{running['days'][0].id}/mark",
                                 data={"registration_id": reg.id, "status": "present"}).status_code == 404
    assert _count(db) == 0


def test_a_day_not_started_shows_disabled_buttons(organiser_client, running):
    sheet, _, _ = _urls(running, day=2)
    page = organiser_client.get(sheet).get_data(as_text=True)
    assert "pas encore commencé" in page
    assert page.count(" disabled>") == 3 * 4
    assert "mark-all" not in page.split("<ol")[0].split("sheet-counts")[1]


def test_mark_everyone_present_form_and_json(organiser_client, db, running):
    sheet, mark_url, mark_all_url = _urls(running)
    first, second, third = running["registrations"]
    organiser_client.post(mark_url, data={"registration_id": second.id, "status": "excused"})
    response = organiser_client.post(mark_all_url, data={"scope": "unmarked"})
    assert response.status_code == 302 and response.headers["Location"].endswith(sheet)
    assert "2 participants marqués présents" in organiser_client.get(sheet).get_data(as_text=True)
    assert services.day_marks(running["days"][0].id)[second.id] == AttendanceStatus.EXCUSED
    response = _json_post(organiser_client, mark_all_url, {"scope": "all"})
    assert response.status_code == 200
    assert response.get_json()["marks"] == {str(r.id): "present" for r in (first, second, third)}
    assert response.get_json()["changed"] == 1
    assert _json_post(organiser_client, mark_all_url, {"scope": "nobody"}).status_code == 400


def test_day_of_another_session_in_the_url_is_404(organiser_client, running, make_session, days_of):
    other = make_session(days=1)
    url = f"/manage/sessions/{running['session'].id}/attendance/{days_of(other)[0].id}"
    assert organiser_client.get(url).status_code == 404
    assert organiser_client.get(url + "/sign-in.pdf").status_code == 404


# ---------------------------------------------------------------- check-in page

def test_check_in_page_answers_with_the_person(organiser_client, db, running):
    url = f"/manage/sessions/{running['session'].id}/checkin"
    page = organiser_client.get(url).get_data(as_text=True)
    assert 'name="code"' in page and "autofocus" in page
    response = organiser_client.post(url, data={"code": "p4w9-tz"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("Srey Pich", "ស្រី ពេជ្រ", "Major", "អគ្គស្នងការដ្ឋាននគរបាលជាតិ", "Cambodge", "présent à"):
        assert text in page
    assert services.day_marks(running["days"][1].id) == {running["registrations"][1].id: AttendanceStatus.PRESENT}
    assert 'value=""' in page.split('name="code"')[0].rsplit("<input", 1)[1] + page.split('name="code"')[1][:80]
    again = organiser_client.post(url, data={"code": "P4W9TZ"}).get_data(as_text=True)
    mark = db.session.scalar(select(Attendance))
    assert "Déjà pointé à" in again
    assert services.day_marks(running["days"][1].id)[running["registrations"][1].id] == AttendanceStatus.PRESENT
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1
    assert mark is not None


@pytest.mark.parametrize("code,status,text", [
    ("NOPE42", 404, "NOPE42"),
    ("", 400, "code personnel"),
])
def test_check_in_page_refuses_bad_codes(organiser_client, db, running, code, status, text):
    response = organiser_client.post(f"/manage/sessions/{running['session'].id}/checkin", data={"code": code})
    assert response.status_code == status
    assert text in response.get_data(as_text=True)
    assert _count(db) == 0


def test_check_in_page_refuses_a_code_of_another_session(organiser_client, db, running, make_session,
                                                         make_registration, today):
    make_registration(make_session(days=1, start=today), personal_code="OTHER1")
    response = organiser_client.post(f"/manage/sessions/{running['session'].id}/checkin", data={"code": "other1"})
    assert response.status_code == 404 and "une autre session" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_check_in_page_without_a_day_today(organiser_client, db, make_session, make_registration, today):
    session = make_session(days=1, start=today + timedelta(days=5))
    make_registration(session, personal_code="LATER1")
    url = f"/manage/sessions/{session.id}/checkin"
    assert "Aucune journée" in organiser_client.get(url).get_data(as_text=True)
    response = organiser_client.post(url, data={"code": "LATER1"})
    assert response.status_code == 409 and _count(db) == 0


# ---------------------------------------------------------------- grid

def test_grid_shows_marks_rates_average_and_who_is_below_the_threshold(organiser_client, db, running,
                                                                       organiser_user):
    session, (first, second, third) = running["session"], running["registrations"]
    yesterday, now = running["days"][0], running["days"][1]
    for reg, day, status in [(first, yesterday, "present"), (first, now, "late"), (second, yesterday, "absent"),
                             (second, now, "present"), (third, yesterday, "excused")]:
        run(services.mark, session.id, day.id, reg.id, status, organiser_user)
    third.state = RegistrationState.CANCELLED
    db.session.commit()
    page = organiser_client.get(f"/manage/sessions/{session.id}/attendance").get_data(as_text=True)
    row = {reg.id: page.split(f'data-registration="{reg.id}"')[1].split("</tr>")[0] for reg in (first, second, third)}
    assert "100 %" in row[first.id] and "En dessous" not in row[first.id]
    assert "50 %" in row[second.id] and "⚠" in row[second.id] and "En dessous de 80 %" in row[second.id]
    assert "Inscription annulée" in row[third.id] and "Excusé" in row[third.id]
    assert 'data-testid="average">75 %' in page  # cancelled registrations are left out of the average
    assert 'data-testid="below-count"><span aria-hidden="true">⚠ </span>1' in page
    assert row[first.id].count("att-future") == 1 and row[first.id].count("att-none") == 0  # tomorrow
    assert '<span aria-hidden="true">P</span>' in row[first.id] and '<span aria-hidden="true">R</span>' in row[first.id]
    organiser_user.locale = "en"
    db.session.commit()
    refresh()  # the test's requests share one app context, where the language is cached
    english = organiser_client.get(f"/manage/sessions/{session.id}/attendance").get_data(as_text=True)
    assert 'lang="en"' in english and '<span aria-hidden="true">L</span>' in english
    assert "row-below" in page.split(f'data-registration="{second.id}"')[0].rsplit("<tr", 1)[1]
