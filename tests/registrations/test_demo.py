"""Demo registrations: every state on upcoming sessions, a full session, approved past ones."""

from datetime import date, timedelta

from sqlalchemy import func, select

from registrations.demo import seed_demo
from registrations.models import AuditEvent, Participant, Registration, SessionStatus, TrainingSession
from registrations.models import RegistrationState as S


def _snapshot(db):
    return (
        db.session.scalar(select(func.count()).select_from(Registration)),
        db.session.scalar(select(func.count()).select_from(Participant)),
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("registration%"))),
        sorted(db.session.execute(select(Registration.id, Registration.state)).all()),
    )


def test_demo_registrations_cover_every_state_and_are_idempotent(db, make_session):
    today = date.today()
    upcoming = [make_session(capacity=cap, start=today + timedelta(days=40 + n)) for n, cap in enumerate((25, 8, 20))]
    khmer_only = make_session(capacity=12, eligible_countries="KH", start=today + timedelta(days=60))
    completed = make_session(capacity=20, status=SessionStatus.COMPLETED, start=today - timedelta(days=60))
    running = make_session(capacity=15, start=today - timedelta(days=1))
    draft = make_session(status=SessionStatus.DRAFT)
    ids = [s.id for s in (*upcoming, khmer_only, completed, running, draft)]

    counts = seed_demo()
    assert counts["registrations"] > 30
    sessions = {s.id: s for s in db.session.scalars(select(TrainingSession).where(TrainingSession.id.in_(ids)))}
    rows = db.session.execute(select(Registration.session_id, Registration.state, Registration.country,
                                     Registration.nominated, Registration.personal_code)).all()

    def of(session):
        return [r for r in rows if r.session_id == session.id]

    for session in (upcoming[0], upcoming[2]):
        # Nobody waits while seats are free: the waiting list is the full session's.
        assert {r.state for r in of(session)} == set(S) - {S.WAITLISTED}
    assert {r.country for s in upcoming for r in of(s)} == {"VN", "KH", "LA"}
    assert {r.nominated for s in upcoming for r in of(s)} == {True, False}
    full = sessions[upcoming[1].id]
    assert full.seats_taken == full.capacity == 8
    assert [r.state for r in of(full)].count(S.WAITLISTED) >= 3
    assert {r.country for r in of(sessions[khmer_only.id])} == {"KH"}
    for past in (completed, running):
        approved = of(past)
        assert 5 <= len(approved) <= 10 and {r.state for r in approved} == {S.APPROVED}
        assert {r.country for r in approved} == {"VN", "KH", "LA"}
        assert all(r.personal_code for r in approved)
    assert of(draft) == []
    for session in sessions.values():
        assert session.seats_taken == len([r for r in of(session) if r.state == S.APPROVED])

    before = _snapshot(db)
    again = seed_demo()
    assert again["registrations"] == 0 and again["participants"] == 0
    assert _snapshot(db) == before
