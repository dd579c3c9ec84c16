"""The attendance rules, tested on the services directly."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from registrations.attendance import services
from registrations.attendance.queries import grid
from registrations.attendance.rates import attendance_summaries
from registrations.attendance.services import AttendanceError
from registrations.models import (
    Attendance,
    AttendanceStatus,
    AuditEvent,
    DayPart,
    RegistrationState,
    SessionDay,
)
from registrations.transaction import run


def _marks(db):
    return db.session.scalar(select(func.count()).select_from(Attendance))


def _events(db):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attendance.mark")
                                   .order_by(AuditEvent.id)))


def test_a_mark_records_who_and_when_and_an_audit_event(db, running, organiser_user):
    reg, day = running["registrations"][0], running["days"][0]
    before = datetime.now().astimezone()
    result = run(services.mark, running["session"].id, day.id, reg.id, "present", organiser_user)
    assert result.changed and result.before is None
    mark = db.session.scalar(select(Attendance))
    assert (mark.registration_id, mark.day_id, mark.status) == (reg.id, day.id, AttendanceStatus.PRESENT)
    assert mark.marked_by_id == organiser_user.id
    assert mark.marked_at >= before - timedelta(seconds=1)
    [event] = _events(db)
    assert event.actor_id == organiser_user.id and event.object_type == "attendance" and event.object_id == mark.id
    assert event.before["status"] is None and event.after["status"] == "present"
    assert event.after["registration_id"] == reg.id and event.after["day_id"] == day.id


def test_changing_a_mark_updates_the_same_row_and_audits_before_and_after(db, running, organiser_user, admin_user):
    reg, day = running["registrations"][0], running["days"][0]
    run(services.mark, running["session"].id, day.id, reg.id, "present", organiser_user)
    result = run(services.mark, running["session"].id, day.id, reg.id, AttendanceStatus.LATE, admin_user)
    assert result.changed and result.before == AttendanceStatus.PRESENT
    assert _marks(db) == 1
    mark = db.session.scalar(select(Attendance))
    assert mark.status == AttendanceStatus.LATE and mark.marked_by_id == admin_user.id
    events = _events(db)
    assert [(e.before["status"], e.after["status"]) for e in events] == [(None, "present"), ("present", "late")]
    assert events[1].actor_id == admin_user.id


def test_the_same_mark_again_changes_nothing(db, running, organiser_user):
    reg, day = running["registrations"][0], running["days"][0]
    run(services.mark, running["session"].id, day.id, reg.id, "absent", organiser_user)
    result = run(services.mark, running["session"].id, day.id, reg.id, "absent", organiser_user)
    assert not result.changed
    assert len(_events(db)) == 1


@pytest.mark.parametrize("status", ["", "here", "PRESENTE", None, "present; drop table"])
def test_an_unknown_status_is_refused(db, running, organiser_user, status):
    with pytest.raises(AttendanceError) as caught:
        run(services.mark, running["session"].id, running["days"][0].id, running["registrations"][0].id, status,
                      organiser_user)
    assert caught.value.status == 400
    assert _marks(db) == 0 and _events(db) == []


def test_status_is_case_insensitive(db, running, organiser_user):
    run(services.mark, running["session"].id, running["days"][0].id, running["registrations"][0].id, " Excused ",
                  organiser_user)
    assert db.session.scalar(select(Attendance.status)) == AttendanceStatus.EXCUSED


def test_a_day_of_another_session_is_refused(db, running, make_session, days_of, organiser_user, today):
    other = make_session(days=1, start=today)
    with pytest.raises(AttendanceError) as caught:
        run(services.mark, running["session"].id, days_of(other)[0].id, running["registrations"][0].id, "present",
                      organiser_user)
    assert caught.value.status == 404
    assert _marks(db) == 0


def test_a_day_that_has_not_started_is_refused(db, running, organiser_user):
    tomorrow = running["days"][2]
    with pytest.raises(AttendanceError) as caught:
        run(services.mark, running["session"].id, tomorrow.id, running["registrations"][0].id, "present",
            organiser_user)
    assert caught.value.status == 409
    assert "pas encore commencé" in str(caught.value.message)
    assert _marks(db) == 0
    with pytest.raises(AttendanceError):
        run(services.mark_all, running["session"].id, tomorrow.id, organiser_user)
    assert _marks(db) == 0


def test_only_approved_registrations_of_the_session_are_marked(db, running, make_registration, make_session,
                                                                organiser_user):
    session, day = running["session"], running["days"][0]
    for state in (RegistrationState.PENDING, RegistrationState.WAITLISTED, RegistrationState.REJECTED,
                  RegistrationState.CANCELLED):
        registration = make_registration(session, state=state)
        with pytest.raises(AttendanceError) as caught:
            run(services.mark, session.id, day.id, registration.id, "present", organiser_user)
        assert caught.value.status == 409
    elsewhere = make_registration(make_session(days=1))
    with pytest.raises(AttendanceError) as caught:
        run(services.mark, session.id, day.id, elsewhere.id, "present", organiser_user)
    assert caught.value.status == 404
    with pytest.raises(AttendanceError):
        run(services.mark, session.id, day.id, 987654, "present", organiser_user)
    assert _marks(db) == 0 and _events(db) == []


def test_a_cancelled_registration_keeps_its_marks_and_is_flagged_in_the_grid(db, running, organiser_user, today):
    session, reg = running["session"], running["registrations"][0]
    run(services.mark, session.id, running["days"][0].id, reg.id, "present", organiser_user)
    reg.state = RegistrationState.CANCELLED
    db.session.commit()
    assert _marks(db) == 1
    data = grid(session, today)
    row = next(r for r in data.rows if r.registration_id == reg.id)
    assert row.cancelled and row.marks == {running["days"][0].id: AttendanceStatus.PRESENT}
    assert row not in data.active_rows
    # A cancelled registration without marks is not in the grid at all.
    running["registrations"][1].state = RegistrationState.CANCELLED
    db.session.commit()
    assert running["registrations"][1].id not in {r.registration_id for r in grid(session, today).rows}


def test_mark_all_marks_only_those_without_a_mark_unless_told_to_replace(db, running, organiser_user):
    session, day = running["session"], running["days"][0]
    first, second, third = running["registrations"]
    run(services.mark, session.id, day.id, second.id, "absent", organiser_user)
    changed = run(services.mark_all, session.id, day.id, organiser_user)
    assert changed == {first.id: AttendanceStatus.PRESENT, third.id: AttendanceStatus.PRESENT}
    assert services.day_marks(day.id)[second.id] == AttendanceStatus.ABSENT
    changed = run(services.mark_all, session.id, day.id, organiser_user, replace=True)
    assert changed == {second.id: AttendanceStatus.PRESENT}
    assert set(services.day_marks(day.id).values()) == {AttendanceStatus.PRESENT}
    assert run(services.mark_all, session.id, day.id, organiser_user, replace=True) == {}
    assert len(_events(db)) == 4  # one per change: absent, two present, absent→present


def test_mark_all_leaves_pending_and_cancelled_registrations_alone(db, running, make_registration, organiser_user):
    pending = make_registration(running["session"], state=RegistrationState.PENDING)
    run(services.mark_all, running["session"].id, running["days"][0].id, organiser_user)
    assert pending.id not in services.day_marks(running["days"][0].id)
    assert len(services.day_marks(running["days"][0].id)) == 3


@pytest.mark.parametrize("excused_counts,expected", [(False, 50), (True, 100)])
def test_rate_counts_present_and_late_and_excused_when_configured(db, make_session, make_registration, days_of,
                                                                   organiser_user, today, excused_counts, expected):
    session = make_session(days=4, start=today - timedelta(days=3), excused_counts_as_attended=excused_counts)
    reg = make_registration(session)
    for day, status in zip(days_of(session), ["present", "late", "excused", "excused"], strict=True):
        run(services.mark, session.id, day.id, reg.id, status, organiser_user)
    summary = attendance_summaries(session, [reg.id], today=today)[reg.id]
    assert summary.days_held == 4 and summary.percent == expected


@pytest.mark.parametrize("excused_counts", [False, True])
def test_the_grid_counts_rates_by_the_same_rule_as_certificates(db, make_session, make_registration, days_of,
                                                                 organiser_user, today, excused_counts):
    session = make_session(days=5, start=today - timedelta(days=3), excused_counts_as_attended=excused_counts)
    registrations = [make_registration(session) for _ in range(5)]
    held = [day for day in days_of(session) if day.date <= today]
    statuses = ["present", "late", "excused", "absent"]
    for n, reg in enumerate(registrations):
        for m, day in enumerate(held[:n]):
            run(services.mark, session.id, day.id, reg.id, statuses[(n + m) % 4], organiser_user)
    expected = attendance_summaries(session, [reg.id for reg in registrations], today=today)
    assert {row.registration_id: row.summary for row in grid(session, today).rows} == expected
    assert len({summary.days_attended for summary in expected.values()}) > 2


def test_rate_is_over_days_held_so_far(db, running, organiser_user, today):
    session, (first, second, third) = running["session"], running["registrations"]
    yesterday, now = running["days"][0], running["days"][1]
    run(services.mark, session.id, yesterday.id, first.id, "present", organiser_user)
    run(services.mark, session.id, now.id, first.id, "present", organiser_user)
    run(services.mark, session.id, yesterday.id, second.id, "absent", organiser_user)
    run(services.mark, session.id, now.id, second.id, "late", organiser_user)
    data = grid(session, today)
    rates = {row.registration_id: row.summary.percent for row in data.rows}
    assert rates == {first.id: 100, second.id: 50, third.id: 0}
    assert len(data.held) == 2 and data.average_percent == 50
    below = {row.registration_id for row in data.rows if data.below_threshold(row)}
    assert below == {second.id, third.id} and data.below_count == 2


# ---------------------------------------------------------------- check-in

@pytest.mark.parametrize("typed", ["K7M2QX", "k7m2qx", " K7M-2QX ", "k7 m2 qx", "K7M–2QX",
                                   "https://example.test/r/K7M2QX"])
def test_check_in_normalises_the_code(db, running, organiser_user, typed):
    result = run(services.check_in, running["session"].id, typed, organiser_user)
    assert not result.already
    assert result.registration.id == running["registrations"][0].id
    assert result.participant.name_native == "Nguyễn Thị Hương"
    assert result.agency.country == "VN"
    assert result.day.id == running["days"][1].id  # today
    assert services.day_marks(running["days"][1].id) == {running["registrations"][0].id: AttendanceStatus.PRESENT}


def test_checking_in_twice_keeps_the_first_mark(db, running, organiser_user):
    first = run(services.check_in, running["session"].id, "K7M2QX", organiser_user)
    first_at = first.attendance.marked_at
    again = run(services.check_in, running["session"].id, "k7m2qx", organiser_user)
    assert again.already and again.attendance.marked_at == first_at
    assert len(_events(db)) == 1


def test_check_in_of_someone_marked_late_says_already(db, running, organiser_user):
    run(services.mark, running["session"].id, running["days"][1].id, running["registrations"][0].id, "late",
                  organiser_user)
    result = run(services.check_in, running["session"].id, "K7M2QX", organiser_user)
    assert result.already and result.attendance.status == AttendanceStatus.LATE


def test_check_in_turns_an_absent_mark_into_present(db, running, organiser_user):
    day, reg = running["days"][1], running["registrations"][0]
    run(services.mark, running["session"].id, day.id, reg.id, "absent", organiser_user)
    result = run(services.check_in, running["session"].id, "K7M2QX", organiser_user)
    assert not result.already and services.day_marks(day.id)[reg.id] == AttendanceStatus.PRESENT


def test_check_in_refuses_unknown_codes_and_codes_of_other_sessions(db, running, make_session, make_registration,
                                                                    organiser_user, today):
    other = make_session(days=1, start=today)
    make_registration(other, personal_code="ZZ9QQ9")
    with pytest.raises(AttendanceError) as caught:
        run(services.check_in, running["session"].id, "ZZ9-QQ9", organiser_user)
    assert caught.value.status == 404 and "une autre session" in str(caught.value.message)
    with pytest.raises(AttendanceError) as caught:
        run(services.check_in, running["session"].id, "NOPE42", organiser_user)
    assert caught.value.status == 404 and "NOPE42" in str(caught.value.message)
    with pytest.raises(AttendanceError) as caught:
        run(services.check_in, running["session"].id, " - ", organiser_user)
    assert caught.value.status == 400
    assert _marks(db) == 0


def test_check_in_refuses_a_cancelled_registration(db, running, organiser_user):
    running["registrations"][0].state = RegistrationState.CANCELLED
    db.session.commit()
    with pytest.raises(AttendanceError) as caught:
        run(services.check_in, running["session"].id, "K7M2QX", organiser_user)
    assert caught.value.status == 409
    assert _marks(db) == 0


def test_check_in_needs_a_day_today(db, make_session, make_registration, organiser_user, today):
    session = make_session(days=2, start=today + timedelta(days=2))
    make_registration(session, personal_code="AAA111")
    with pytest.raises(AttendanceError) as caught:
        run(services.check_in, session.id, "AAA111", organiser_user)
    assert caught.value.status == 409
    assert _marks(db) == 0


def test_check_in_uses_the_part_of_the_day_under_way_or_the_chosen_one(db, make_session, make_registration,
                                                                        organiser_user, today):
    session = make_session(days=1, start=today)
    full = db.session.scalar(select(SessionDay).where(SessionDay.session_id == session.id))
    full.part = DayPart.MORNING
    afternoon = SessionDay(session_id=session.id, date=today, part=DayPart.AFTERNOON)
    db.session.add(afternoon)
    db.session.commit()
    make_registration(session, personal_code="HALF01")
    zone = services.local_now().tzinfo
    at_nine = datetime.combine(today, time(9, 0), tzinfo=zone)
    at_two = datetime.combine(today, time(14, 0), tzinfo=zone)
    assert run(services.check_in, session.id, "HALF01", organiser_user, now=at_nine).day.id == full.id
    assert run(services.check_in, session.id, "HALF01", organiser_user, now=at_two).day.id == afternoon.id
    assert run(services.check_in, session.id, "HALF01", organiser_user, day_id=full.id, now=at_two).already
    with pytest.raises(AttendanceError) as caught:
        run(services.check_in, session.id, "HALF01", organiser_user, day_id=999999, now=at_two)
    assert caught.value.status == 404


@pytest.mark.parametrize("raw,expected", [
    ("k7m2qx", "K7M2QX"), ("K7M 2QX", "K7M2QX"), ("K7M-2QX\n", "K7M2QX"), ("k7m_2qx", "K7M2QX"),
    ("https://x.test/checkin?code=k7m2qx", "K7M2QX"), ("", ""), (None, ""),
])
def test_normalise_code(raw, expected):
    assert services.normalise_code(raw) == expected
