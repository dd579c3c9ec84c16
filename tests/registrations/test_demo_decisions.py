"""The whole demo, as a newcomer sees it: open questionnaires, a waiting list with positions, a
pending cancellation request, and nothing dated in the future."""

from sqlalchemy import select

from registrations.demo import seed_demo
from registrations.enrolment import waitlist
from registrations.evaluations.questions import has_ended
from registrations.models import (
    EvaluationResponse,
    Registration,
    RegistrationState,
    Role,
    TrainingSession,
    User,
    utcnow,
)


def test_the_demo_shows_the_decisions(db):
    seed_demo()
    now = utcnow()
    registrations = list(db.session.scalars(select(Registration)))
    assert registrations and all(r.created_at <= now for r in registrations)
    assert all(r.decided_at is None or r.decided_at <= now for r in registrations)
    waiting = [r for r in registrations if r.state == RegistrationState.WAITLISTED]
    assert len(waiting) >= 3
    positions = waitlist.positions(sorted({r.session_id for r in waiting}))
    assert sorted(positions.values())[:3] == [1, 2, 3]
    assert all(r.waitlist_rank is not None for r in waiting)
    requests = [r for r in registrations if r.cancel_requested_at is not None]
    assert len(requests) == 1 and requests[0].state == RegistrationState.APPROVED
    # Every partner who can log in has a questionnaire to answer.
    answered = set(db.session.scalars(select(EvaluationResponse.registration_id)))
    sessions = {s.id: s for s in db.session.scalars(select(TrainingSession))}
    for partner in db.session.scalars(select(User).where(
            User.role == Role.PARTNER, User.participant_id.is_not(None), User.password_hash != "")):
        open_ones = [r for r in registrations if r.participant_id == partner.participant_id
                     and r.state == RegistrationState.APPROVED and has_ended(sessions[r.session_id])
                     and r.id not in answered]
        assert open_ones, partner.email
    assert seed_demo()["cancellation requests"] == 0
