"""One definition each of "held abroad" and of why registration is closed, in Python and SQL."""

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from registrations.access import may_see_agency, scoped_to_agency
from registrations.models import Agency, Closure, Participant, Registration, SessionStatus, TrainingSession


def test_held_abroad_is_the_same_in_python_and_in_sql(db, make_session, make_agency):
    hanoi = make_session(country="VN")
    phnom_penh = make_session(country="KH")
    vietnamese = make_agency("VN")
    assert not hanoi.held_abroad_for(vietnamese.country)
    assert phnom_penh.held_abroad_for(vietnamese.country)
    abroad = db.session.scalars(
        select(TrainingSession.id).join(Agency, Agency.id == vietnamese.id)
        .where(TrainingSession.held_abroad_for(Agency.country))).all()
    assert abroad == [phnom_penh.id]


def test_every_closure_has_its_reason(db, make_session):
    now = datetime(2026, 12, 1, 3, tzinfo=timezone.utc)
    start = date(2027, 1, 10)

    def closure(**fields):
        return make_session(start=start, **fields).registration_closure(now)

    assert closure() is None
    assert closure(status=SessionStatus.CANCELLED) == Closure.CANCELLED
    assert closure(status=SessionStatus.COMPLETED) == Closure.ENDED
    assert make_session(start=date(2026, 11, 1)).registration_closure(now) == Closure.ENDED
    assert closure(status=SessionStatus.DRAFT) == Closure.DRAFT
    assert closure(status=SessionStatus.CLOSED) == Closure.CLOSED
    assert closure(registration_opens_at=now + timedelta(hours=1)) == Closure.NOT_YET_OPEN
    assert closure(registration_deadline=now - timedelta(seconds=1)) == Closure.DEADLINE_PASSED
    assert closure(registration_deadline=now) is None
    # A session whose deadline falls after its last day does not take registrations once it has ended.
    ended = make_session(start=date(2026, 11, 25), days=2, registration_deadline=now + timedelta(days=5))
    assert not ended.registration_is_open(now)
    for reason in Closure:
        assert str(reason.label)


def test_agency_scoping_narrows_partners_only(db, make_session, make_registration, partner_user, admin_user):
    session = make_session()
    own = make_registration(session, participant=db.session.get(Participant, partner_user.participant_id))
    other = make_registration(session)
    query = select(Registration.id).order_by(Registration.id)
    assert db.session.scalars(scoped_to_agency(query, Registration.agency_id, partner_user)).all() == [own.id]
    assert db.session.scalars(scoped_to_agency(query, Registration.agency_id, admin_user)).all() == \
        [own.id, other.id]
    assert may_see_agency(own.agency_id, partner_user)
    assert not may_see_agency(other.agency_id, partner_user)
    assert may_see_agency(other.agency_id, admin_user)
