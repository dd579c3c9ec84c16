"""The rules of a session's data: refused input writes nothing; derived fields stay in step."""

from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from registrations.models import (
    AuditEvent,
    DayPart,
    SessionDay,
    SessionQuota,
    SessionStatus,
    TrainingSession,
)
from registrations.sessions import lifecycle, services
from registrations.sessions.services import QuotaSpec, SessionInvalid
from registrations.signals import seats_freed
from registrations.transaction import run


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _refused(db, values, quotas=(), field=None, **kwargs):
    """Assert that creating a session with these values is refused and writes nothing."""
    with pytest.raises(SessionInvalid) as error:
        run(services.create_session, values, list(quotas), **kwargs)
    assert _count(db, TrainingSession) == 0 and _count(db, SessionDay) == 0 and _count(db, SessionQuota) == 0
    if field:
        assert field in error.value.errors, error.value.errors
    return error.value


def test_creating_a_session_makes_a_draft_with_one_day_per_date(db, values, organiser_user):
    session = run(services.create_session, values(), actor=organiser_user)
    assert session.status == SessionStatus.DRAFT
    days = services.load_days(session.id)
    assert [day.date for day in days] == [session.start_date + timedelta(days=n) for n in range(5)]
    assert all(day.part == DayPart.FULL for day in days)
    assert session.created_by_id == organiser_user.id
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_id == session.id)) == \
        "session.created"


def test_search_text_is_folded_and_compact_in_every_language(db, values):
    session = run(services.create_session, values(title_km="ការប្រយុទ្ធប្រឆាំងការក្លែងបន្លំ", venue="Tân Sơn Nhất"))
    text = session.search_text
    assert "ha noi" in text and "hanoi" in text
    assert "phong chong gian lan giay to" in text
    assert "ការប្រយុទ្ធប្រឆាំងការក្លែងបន្លំ" in text
    assert "tan son nhat" in text and "Hà" not in text


def test_search_text_follows_edits(db, values):
    session = run(services.create_session, values())
    run(services.update_session, session.id, values(city="Phnom Penh", country="KH", eligible_countries="KH"))
    db.session.refresh(session)
    assert "phnom penh" in session.search_text and "ha noi" not in session.search_text


@pytest.mark.parametrize("city,country,prefix", [
    ("Hà Nội", "VN", "HAN"), ("Ha Noi", "VN", "HAN"), ("Phnom Penh", "KH", "PNH"), ("Vientiane", "LA", "VTE"),
    ("Hồ Chí Minh", "VN", "SGN"), ("Thành phố Hồ Chí Minh", "VN", "SGN"), ("Đà Nẵng", "VN", "DAN"),
    ("Luang Prabang", "LA", "LUA"), ("ភ្នំពេញ", "KH", "KHX"),
])
def test_serial_prefix_is_derived_from_the_city(city, country, prefix):
    assert services.serial_prefix_for(city, country) == prefix


def test_serial_prefix_is_set_on_save_unless_given(db, values):
    assert run(services.create_session, values()).serial_prefix == "HAN"
    assert run(services.create_session, values(title_fr="Autre", serial_prefix="cyb26")).serial_prefix == "CYB26"


def test_end_before_start_is_refused(db, values):
    start = values()["start_date"]
    _refused(db, values(end_date=start - timedelta(days=1)), field="end_date")


def test_deadline_after_start_is_refused(db, values):
    start = values()["start_date"]
    deadline = datetime.combine(start + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    error = _refused(db, values(registration_deadline=deadline), field="registration_deadline")
    with force_locale("fr"):
        assert "date limite" in str(error.errors["registration_deadline"][0])


def test_a_deadline_on_the_first_day_is_accepted(db, values):
    start = values()["start_date"]
    run(services.create_session, values(registration_deadline=services.day_start_utc(start) + timedelta(hours=8)))


def test_opening_after_deadline_is_refused(db, values):
    deadline = datetime.now(timezone.utc) + timedelta(days=10)
    _refused(db, values(registration_deadline=deadline, registration_opens_at=deadline + timedelta(hours=1)),
             field="registration_opens_at")


@pytest.mark.parametrize("capacity", [0, -3, None])
def test_capacity_below_one_is_refused(db, values, capacity):
    _refused(db, values(capacity=capacity), field="capacity")


def test_host_country_must_be_eligible(db, values):
    _refused(db, values(eligible_countries="KH,LA"), field="eligible_countries")
    assert run(services.create_session, values(eligible_countries="")).eligible_countries == ""


def test_quota_total_above_capacity_is_refused(db, values):
    quotas = [QuotaSpec(8, country="VN"), QuotaSpec(8, country="KH"), QuotaSpec(8, country="LA")]
    _refused(db, values(capacity=20), quotas, field="quotas")


def test_agency_quotas_are_checked_too(db, values, make_agency):
    vn, la = make_agency("VN"), make_agency("LA")
    _refused(db, values(capacity=10), [QuotaSpec(6, agency_id=vn.id), QuotaSpec(6, agency_id=la.id)], field="quotas")
    _refused(db, values(eligible_countries="VN,KH"), [QuotaSpec(2, agency_id=la.id)], field="quotas")
    _refused(db, values(), [QuotaSpec(2, agency_id=999999)], field="quotas")
    _refused(db, values(), [QuotaSpec(2, country="VN"), QuotaSpec(3, country="VN")], field="quotas")


def test_valid_quotas_are_stored(db, values, make_agency):
    vn = make_agency("VN")
    session = run(services.create_session, values(capacity=20),
                  [QuotaSpec(10, country="VN"), QuotaSpec(5, country="KH"), QuotaSpec(4, agency_id=vn.id)])
    assert sorted(services.current_quotas(session.id), key=lambda q: q.seats) == [
        QuotaSpec(4, agency_id=vn.id), QuotaSpec(5, country="KH"), QuotaSpec(10, country="VN")]


def test_every_problem_is_reported_at_once(db, values):
    start = values()["start_date"]
    error = _refused(db, values(end_date=start - timedelta(days=2), capacity=0, eligible_countries="KH"))
    assert {"end_date", "capacity", "eligible_countries"} <= set(error.errors)


def test_capacity_cannot_go_below_the_seats_taken(db, values, make_registration):
    session = run(services.create_session, values(capacity=5))
    for _ in range(3):
        make_registration(session)
    with pytest.raises(SessionInvalid) as error:
        run(services.update_session, session.id, values(capacity=2))
    assert "capacity" in error.value.errors
    db.session.expire_all()
    assert db.session.get(TrainingSession, session.id).capacity == 5


def test_lowering_capacity_to_the_seats_taken_keeps_everyone(db, values, make_registration):
    session = run(services.create_session, values(capacity=5))
    registrations = [make_registration(session) for _ in range(3)]
    run(services.update_session, session.id, values(capacity=3))
    db.session.expire_all()
    session = db.session.get(TrainingSession, session.id)
    assert session.capacity == 3 and session.seats_taken == 3 and session.seats_left == 0
    assert all(db.session.get(type(r), r.id).state == r.state for r in registrations)


@pytest.fixture
def freed(app):
    """The senders of `seats_freed` during the test."""
    received = []

    def receiver(sender, **kwargs):
        received.append(sender.id)

    seats_freed.connect(receiver)
    yield received
    seats_freed.disconnect(receiver)


def _published(values, **overrides):
    session = run(services.create_session, values(**overrides))
    run(lifecycle.change_status, session.id, SessionStatus.PUBLISHED)
    return session


def test_raising_capacity_frees_seats(db, values, freed):
    session = _published(values, capacity=10)
    run(services.update_session, session.id, values(capacity=10, venue="Autre salle"))
    assert freed == []
    run(services.update_session, session.id, values(capacity=12))
    assert freed == [session.id]


def test_loosening_a_quota_frees_seats(db, values, freed):
    session = run(services.create_session, values(capacity=10), [QuotaSpec(3, country="KH")])
    run(lifecycle.change_status, session.id, SessionStatus.PUBLISHED)
    run(services.update_session, session.id, values(capacity=10), [QuotaSpec(2, country="KH")])
    assert freed == []
    run(services.update_session, session.id, values(capacity=10), [QuotaSpec(4, country="KH")])
    assert freed == [session.id]
    run(services.update_session, session.id, values(capacity=10), [])
    assert freed == [session.id, session.id]


def test_a_draft_frees_no_seats(db, values, freed):
    session = run(services.create_session, values(capacity=10))
    run(services.update_session, session.id, values(capacity=15))
    assert freed == []


def test_editing_is_audited_with_what_changed(db, values, organiser_user):
    session = run(services.create_session, values(capacity=10))
    run(services.update_session, session.id, values(capacity=14), actor=organiser_user)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "session.updated"))
    assert event.before == {"capacity": 10} and event.after == {"capacity": 14}
    assert event.actor_id == organiser_user.id


def test_moving_the_dates_moves_the_days(db, values):
    session = run(services.create_session, values())
    start = session.start_date
    days = services.load_days(session.id)
    run(services.save_days, session.id, [services.DayChange(id=days[1].id, part=DayPart.FULL, programme="Jour 2")])
    run(services.update_session, session.id, values(start_date=start + timedelta(days=1),
                                               end_date=start + timedelta(days=6)))
    dates = [(day.date, day.programme) for day in services.load_days(session.id)]
    assert dates[0] == (start + timedelta(days=1), "Jour 2")
    assert [d for d, _ in dates] == [start + timedelta(days=n) for n in range(1, 7)]


def test_days_with_attendance_are_never_dropped_by_new_dates(db, values, make_registration):
    from registrations.models import Attendance, AttendanceStatus

    session = _published(values)
    registration = make_registration(session)
    first = services.load_days(session.id)[0]
    db.session.add(Attendance(registration_id=registration.id, day_id=first.id, status=AttendanceStatus.PRESENT))
    db.session.commit()
    start = session.start_date
    with pytest.raises(SessionInvalid):
        run(services.update_session, session.id, values(start_date=start + timedelta(days=1)))
    assert len(services.load_days(session.id)) == 5


def test_completed_and_cancelled_sessions_cannot_be_edited(db, values):
    session = run(services.create_session, values())
    run(lifecycle.cancel, session.id, "Crise sanitaire")
    with pytest.raises(services.SessionError) as error:
        run(services.update_session, session.id, values(capacity=30))
    assert error.value.status == 409


def test_days_editor_splits_removes_adds_and_writes_programmes(db, values):
    session = run(services.create_session, values())
    days = services.load_days(session.id)
    changes = [services.DayChange(id=days[0].id, part=DayPart.FULL, programme="Ouverture", split=True),
               services.DayChange(id=days[2].id, part=DayPart.FULL, remove=True),
               services.DayChange(id=days[4].id, part=DayPart.MORNING, programme="Clôture")]
    result = run(services.save_days, session.id, changes)
    labels = [(day.date - session.start_date).days for day in result]
    parts = [day.part for day in result]
    assert labels == [0, 0, 1, 3, 4]
    assert parts == [DayPart.MORNING, DayPart.AFTERNOON, DayPart.FULL, DayPart.FULL, DayPart.MORNING]
    assert result[0].programme == "Ouverture" and result[-1].programme == "Clôture"
    added = run(services.save_days, session.id, [], [services.DayAddition(session.start_date + timedelta(days=4),
                                                                        DayPart.AFTERNOON, "Évaluation")])
    assert [(d.part, d.programme) for d in added][-2:] == [(DayPart.MORNING, "Clôture"),
                                                           (DayPart.AFTERNOON, "Évaluation")]


@pytest.mark.parametrize("problem", ["outside", "duplicate", "mixed", "empty", "foreign"])
def test_days_editor_refuses_bad_days_and_writes_nothing(db, values, make_session, problem):
    session = run(services.create_session, values())
    days = services.load_days(session.id)
    changes, additions = [], []
    if problem == "outside":
        additions = [services.DayAddition(session.end_date + timedelta(days=1))]
    elif problem == "duplicate":
        additions = [services.DayAddition(session.start_date)]
    elif problem == "mixed":
        additions = [services.DayAddition(session.start_date, DayPart.MORNING)]
    elif problem == "empty":
        changes = [services.DayChange(id=day.id, part=day.part, remove=True) for day in days]
    else:
        other = make_session()
        changes = [services.DayChange(id=services.load_days(other.id)[0].id, part=DayPart.FULL, remove=True)]
    with pytest.raises(services.SessionError):
        run(services.save_days, session.id, changes, additions)
    db.session.rollback()
    assert [(d.date, d.part) for d in services.load_days(session.id)] == [(d.date, d.part) for d in days]


def test_a_country_with_registered_officers_stays_eligible(db, values, make_registration, make_participant,
                                                          make_agency):
    session = _published(values, eligible_countries="VN,KH,LA")
    make_registration(session, make_participant(make_agency("KH")))
    with pytest.raises(SessionInvalid) as error:
        run(services.update_session, session.id, values(eligible_countries="VN,LA"))
    assert "eligible_countries" in error.value.errors
    run(services.update_session, session.id, values(eligible_countries="VN,KH"))
    db.session.expire_all()
    assert db.session.get(TrainingSession, session.id).eligible_countries == "VN,KH"
