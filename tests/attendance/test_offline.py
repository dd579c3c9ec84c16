"""Marks made on a device without a network and sent later: each id once, later mark wins."""

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from registrations import transaction
from registrations.attendance import services
from registrations.attendance.services import AttendanceError, DeviceMark
from registrations.models import Attendance, AttendanceStatus, OfflineMark
from registrations.transaction import run

NOW = datetime.now(timezone.utc)


def _device(registration_id, status, minutes_ago=1, base=None, client_id=None):
    return DeviceMark(client_id or str(uuid.uuid4()), registration_id, AttendanceStatus(status),
                      NOW - timedelta(minutes=minutes_ago), AttendanceStatus(base) if base else None)


def _sync(running, marks, actor, day=None):
    day = day or running["days"][1]
    return transaction.run(services.sync_marks, running["session"].id, day.id, marks, actor)


def _cells(db, day):
    db.session.rollback()
    return dict(db.session.execute(select(Attendance.registration_id, Attendance.status)
                                   .where(Attendance.day_id == day.id)).all())


def test_marks_are_applied_in_order_with_the_device_time(db, running, organiser_user):
    first, second = running["registrations"][:2]
    marks = [_device(first.id, "present", 10), _device(second.id, "late", 9),
             _device(first.id, "excused", 8, base="present")]
    results = _sync(running, marks, organiser_user)
    assert [r.outcome for r in results] == ["applied"] * 3 and not any(r.conflict for r in results)
    assert _cells(db, running["days"][1]) == {first.id: AttendanceStatus.EXCUSED, second.id: AttendanceStatus.LATE}
    cell = db.session.scalar(select(Attendance).where(Attendance.registration_id == second.id))
    assert abs(cell.marked_at - marks[1].marked_at) < timedelta(seconds=1)
    assert cell.marked_by_id == organiser_user.id


def test_the_same_id_sent_twice_counts_once(db, running, organiser_user):
    first = running["registrations"][0]
    mark = _device(first.id, "present")
    _sync(running, [mark], organiser_user)
    [again] = _sync(running, [mark], organiser_user)
    assert again.duplicate and again.outcome == "applied" and again.status == AttendanceStatus.PRESENT
    assert db.session.scalar(select(func.count()).select_from(OfflineMark)) == 1
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1


@pytest.mark.parametrize("order", ["earlier first", "later first"])
def test_two_devices_on_one_cell_the_later_mark_wins_and_the_conflict_is_listed(db, running, organiser_user,
                                                                               admin_user, order):
    first, day = running["registrations"][0], running["days"][1]
    earlier = _device(first.id, "present", minutes_ago=10)
    later = _device(first.id, "absent", minutes_ago=5)
    sends = [(earlier, organiser_user), (later, admin_user)]
    if order == "later first":
        sends.reverse()
    outcomes = [_sync(running, [mark], actor)[0] for mark, actor in sends]
    assert _cells(db, day) == {first.id: AttendanceStatus.ABSENT}
    assert not outcomes[0].conflict and outcomes[1].conflict
    assert outcomes[1].outcome == ("applied" if order == "earlier first" else "superseded")
    [conflict] = services.day_conflicts(day.id)
    assert (conflict.kept, conflict.lost) == (AttendanceStatus.ABSENT, AttendanceStatus.PRESENT)
    assert conflict.name_latin == "Nguyen Thi Huong"


def test_a_mark_based_on_what_the_device_saw_is_no_conflict(db, running, organiser_user):
    first, day = running["registrations"][0], running["days"][1]
    run(services.mark, running["session"].id, day.id, first.id, "present", organiser_user)
    [result] = _sync(running, [_device(first.id, "late", minutes_ago=30, base="present")], organiser_user)
    assert result.outcome == "applied" and not result.conflict
    assert services.day_conflicts(day.id) == []


def test_a_device_clock_in_the_future_counts_as_now(db, running, organiser_user):
    first = running["registrations"][0]
    _sync(running, [_device(first.id, "present", minutes_ago=-600)], organiser_user)
    row = db.session.scalar(select(OfflineMark))
    assert row.marked_at <= datetime.now(timezone.utc) + timedelta(minutes=1)


def test_someone_not_approved_is_refused_alone(db, running, organiser_user, make_registration):
    from registrations.models import RegistrationState

    pending = make_registration(running["session"], state=RegistrationState.PENDING)
    first = running["registrations"][0]
    results = _sync(running, [_device(pending.id, "present"), _device(first.id, "present")], organiser_user)
    assert [r.outcome for r in results] == ["refused", "applied"]
    assert _cells(db, running["days"][1]) == {first.id: AttendanceStatus.PRESENT}


def test_a_day_not_started_or_of_another_session_writes_nothing(db, running, organiser_user):
    first = running["registrations"][0]
    with pytest.raises(AttendanceError) as error:
        _sync(running, [_device(first.id, "present")], organiser_user, day=running["days"][2])
    assert error.value.status == 409
    assert db.session.scalar(select(func.count()).select_from(OfflineMark)) == 0


@pytest.mark.parametrize("body", [
    None, [], {"marks": []}, {"marks": "x"}, {"marks": [{"id": "not-a-uuid"}]},
    {"marks": [{"id": str(uuid.uuid4()), "registration_id": 1, "status": "present", "marked_at": "yesterday"}]},
    {"marks": [{"id": str(uuid.uuid4()), "registration_id": 1, "status": "present",
                "marked_at": "2026-01-01T10:00:00"}]},
    {"marks": [{"id": str(uuid.uuid4()), "registration_id": 1, "status": "asleep",
                "marked_at": "2026-01-01T10:00:00Z"}]},
])
def test_malformed_device_requests_are_refused(app, body):
    with pytest.raises(AttendanceError):
        services.parse_device_marks(body)


# ---------------------------------------------------------------- over HTTP

def _url(running, day=None, what="sync"):
    day = day or running["days"][1]
    return f"/manage/sessions/{running['session'].id}/attendance/{day.id}/{what}"


def test_the_endpoint_needs_the_csrf_token_and_answers_each_mark(db, running, organiser_client):
    first = running["registrations"][0]
    body = {"marks": [{"id": str(uuid.uuid4()), "registration_id": first.id, "status": "present",
                       "marked_at": (NOW - timedelta(minutes=1)).isoformat()}]}
    refused = organiser_client.post(_url(running), json=body, csrf=False,
                                     headers={"Accept": "application/json"})
    assert refused.status_code == 400 and _cells(db, running["days"][1]) == {}
    token = organiser_client.get(_url(running, what="offline.json")).get_json()["csrf_token"]
    for _ in range(2):
        answer = organiser_client.post(_url(running), json=body, csrf=False, headers={"X-CSRFToken": token})
        assert answer.status_code == 200
    data = answer.get_json()
    assert data["results"][0]["duplicate"] is True and data["marks"] == {str(first.id): "present"}
    assert data["counts"]["present"] == 1
    assert _cells(db, running["days"][1]) == {first.id: AttendanceStatus.PRESENT}


def test_bad_bodies_get_a_translated_400(db, running, organiser_client):
    token = organiser_client.get(_url(running, what="offline.json")).get_json()["csrf_token"]
    answer = organiser_client.post(_url(running), json={"marks": [{"id": 3}]}, csrf=False,
                                    headers={"X-CSRFToken": token})
    assert answer.status_code == 400 and answer.get_json()["error"] == "refused"
    assert "requête" in answer.get_json()["message"]


def test_the_day_data_lists_everyone_with_codes_and_marks(db, running, organiser_client, organiser_user):
    first = running["registrations"][0]
    run(services.mark, running["session"].id, running["days"][1].id, first.id, "late", organiser_user)
    data = organiser_client.get(_url(running, what="offline.json")).get_json()
    assert sorted(p["code"] for p in data["participants"]) == sorted(running["codes"])
    assert data["marks"][str(first.id)]["status"] == "late" and data["csrf_token"]


@pytest.mark.parametrize("who", ["partner_client", "client"])
def test_partners_and_visitors_get_no_day_data(request, running, who):
    answer = request.getfixturevalue(who).get(_url(running, what="offline.json"))
    assert answer.status_code in (302, 403)


def test_a_script_without_a_login_gets_401_and_no_session_cookie(running, client):
    """A device syncing while its login has ended must not start a session: the cookie it would
    get back could replace the one of a login form opened at the same moment (its CSRF token)."""
    answer = client.get(_url(running, what="offline.json"), headers={"Accept": "application/json"})
    assert answer.status_code == 401
    assert answer.get_json()["message"] == "Veuillez vous connecter pour accéder à cette page."
    assert "Set-Cookie" not in answer.headers
    page = client.get(_url(running, what="offline.json"), headers={"Accept": "text/html"})
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_service_worker_and_manifest(client):
    worker = client.get("/manage/sessions/sw.js")
    assert worker.status_code == 200 and "javascript" in worker.content_type
    assert worker.headers["Service-Worker-Allowed"] == "/manage/"
    manifest = client.get("/manage/sessions/app.webmanifest")
    assert manifest.status_code == 200 and manifest.get_json()["scope"] == "/manage/"


# ---------------------------------------------------------------- signed codes

def test_a_signed_code_checks_in_and_a_forged_or_foreign_one_is_refused(db, running, organiser_user,
                                                                        make_session, today):
    from registrations.attendance import signing

    session, code = running["session"], running["codes"][0]
    signed = signing.sign(session.id, code)
    assert signed.startswith(f"CT1.{session.id}.{code}.") and len(signed) < 40
    result = run(services.check_in, session.id, signed, organiser_user)
    assert result.registration.personal_code == code and not result.already
    assert run(services.check_in, session.id, f"  {signed}\n", organiser_user).already
    forged = signed[:-2] + ("AA" if not signed.endswith("AA") else "BB")
    with pytest.raises(AttendanceError) as error:
        run(services.check_in, session.id, forged, organiser_user)
    assert error.value.status == 400
    other = make_session(days=1, start=today)
    with pytest.raises(AttendanceError) as error:
        run(services.check_in, session.id, signing.sign(other.id, code), organiser_user)
    assert error.value.status == 404
    # Keys differ per session and come from the secret key.
    assert signing.key_text(session.id) != signing.key_text(other.id)


def test_the_registration_page_shows_the_signed_code_as_qr(db, running, organiser_client):
    import io

    import segno
    import zxingcpp
    from PIL import Image

    from registrations.attendance import signing

    registration, code = running["registrations"][0], running["codes"][0]
    page = organiser_client.get(f"/registrations/{registration.id}").get_data(as_text=True)
    signed = signing.sign(running["session"].id, code)
    assert segno.make_qr(signed, error="m").svg_data_uri(scale=6, border=2) in page
    buffer = io.BytesIO()
    segno.make_qr(signed, error="m").save(buffer, kind="png", scale=6, border=2)
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(buffer.getvalue())))
    assert found.text == signed
