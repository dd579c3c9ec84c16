"""Two organisers marking one sheet at once: nothing lost, the last write of a cell wins, no error.

Each thread pushes its own application context, so it has its own database session and
connection, as two server workers would.
"""

from datetime import timedelta

from sqlalchemy import func, select

from registrations.attendance import services
from registrations.models import Attendance, AttendanceStatus, AuditEvent, SessionDay, User
from registrations.transaction import run


def _last_audited(db, attendance_id):
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "attendance.mark", AuditEvent.object_id == attendance_id)
        .order_by(AuditEvent.id.desc()).limit(1))
    return event.after["status"]


def test_two_organisers_on_the_same_cells_lose_nothing_and_the_last_write_wins(
        db, run_together, make_session, make_registration, organiser_user, admin_user, today):
    session = make_session(days=2, start=today - timedelta(days=1))
    registrations = [make_registration(session) for _ in range(12)]
    day_id = db.session.scalar(select(SessionDay.id).where(SessionDay.session_id == session.id)
                               .order_by(SessionDay.date).limit(1))
    session_id, ids = session.id, [r.id for r in registrations]
    organiser_id, admin_id = organiser_user.id, admin_user.id
    results = {"organiser": [], "admin": []}

    def organiser_job(barrier):
        actor = db.session.get(User, organiser_id)
        for registration_id in ids:
            barrier.wait()
            results["organiser"].append(run(services.mark, session_id, day_id, registration_id, "present", actor))

    def admin_job(barrier):
        actor = db.session.get(User, admin_id)
        for registration_id in ids:
            barrier.wait()
            results["admin"].append(run(services.mark, session_id, day_id, registration_id, "absent", actor))

    errors = run_together(organiser_job, admin_job)
    assert errors == []
    db.session.remove()
    marks = list(db.session.scalars(select(Attendance).where(Attendance.day_id == day_id)))
    assert sorted(m.registration_id for m in marks) == sorted(ids)  # one row per cell, none lost
    for mark in marks:
        # The cell holds the status of the write that came last (the last audit event).
        assert mark.status.value == _last_audited(db, mark.id)
        assert mark.marked_by_id == (organiser_id if mark.status == AttendanceStatus.PRESENT else admin_id)
    changed = sum(1 for result in results["organiser"] + results["admin"] if result.changed)
    events = db.session.scalar(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "attendance.mark"))
    assert events == changed and changed >= len(ids)


def test_two_organisers_on_different_cells_both_keep_their_marks(
        db, run_together, make_session, make_registration, organiser_user, admin_user, today):
    session = make_session(days=2, start=today - timedelta(days=1))
    registrations = [make_registration(session) for _ in range(10)]
    session_id, ids = session.id, [r.id for r in registrations]
    day_id = db.session.scalar(select(SessionDay.id).where(SessionDay.session_id == session.id)
                               .order_by(SessionDay.date).limit(1))

    def job_for(user_id, mine, status):
        def job(barrier):
            actor = db.session.get(User, user_id)
            barrier.wait()
            for registration_id in mine:
                run(services.mark, session_id, day_id, registration_id, status, actor)
        return job

    errors = run_together(job_for(organiser_user.id, ids[::2], "present"),
                             job_for(admin_user.id, ids[1::2], "late"))
    assert errors == []
    db.session.remove()
    marks = services.day_marks(day_id)
    assert marks == {rid: AttendanceStatus.PRESENT if n % 2 == 0 else AttendanceStatus.LATE
                     for n, rid in enumerate(ids)}


def test_mark_all_and_single_marks_at_once_lose_nothing(
        db, run_together, make_session, make_registration, organiser_user, admin_user, today):
    session = make_session(days=1, start=today, capacity=30)
    registrations = [make_registration(session) for _ in range(30)]
    session_id, ids = session.id, [r.id for r in registrations]
    day_id = db.session.scalar(select(SessionDay.id).where(SessionDay.session_id == session.id))

    def everyone(barrier):
        actor = db.session.get(User, organiser_user.id)
        barrier.wait()
        run(services.mark_all, session_id, day_id, actor)

    def some_absent(barrier):
        actor = db.session.get(User, admin_user.id)
        barrier.wait()
        for registration_id in ids[:10]:
            run(services.mark, session_id, day_id, registration_id, "absent", actor)

    errors = run_together(everyone, some_absent)
    assert errors == []
    db.session.remove()
    marks = services.day_marks(day_id)
    assert set(marks) == set(ids)
    assert all(marks[rid] == AttendanceStatus.PRESENT for rid in ids[10:])
    # The ten cells hold whichever write came last: the audit trail says which.
    for mark in db.session.scalars(select(Attendance).where(Attendance.registration_id.in_(ids[:10]))):
        assert mark.status.value == _last_audited(db, mark.id)


def test_two_clients_post_marks_at_once_over_http(app, db, run_together, running, organiser_user, admin_user):
    first, second = app.test_client().login_as(organiser_user), app.test_client().login_as(admin_user)
    session, day = running["session"], running["days"][0]
    url = f"/manage/sessions/{session.id}/attendance/{day.id}/mark"
    ids = [r.id for r in running["registrations"]]
    answers = []

    def job_for(client, status):
        def job(barrier):
            token = client.csrf_token()
            for registration_id in ids:
                barrier.wait()
                response = client.post(url, json={"registration_id": registration_id, "status": status},
                                       headers={"X-CSRFToken": token, "Accept": "application/json"}, csrf=False)
                answers.append((response.status_code, response.get_json()))
        return job

    errors = run_together(job_for(first, "present"), job_for(second, "excused"))
    assert errors == []
    assert [code for code, _body in answers] == [200] * (2 * len(ids))
    db.session.remove()
    marks = services.day_marks(day.id)
    assert set(marks) == set(ids)
    for mark in db.session.scalars(select(Attendance).where(Attendance.day_id == day.id)):
        assert mark.status.value == _last_audited(db, mark.id)
