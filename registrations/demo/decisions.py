"""Demo of the decisions: a partner's request to cancel a registration of the session running
today, waiting for the office (the waiting list with positions is the full session's, made by
the registration step through the rules)."""

from sqlalchemy import select

from registrations.clock import local_today
from registrations.enrolment.cancel_requests import request_cancellation
from registrations.extensions import db
from registrations.models import Registration, RegistrationState, Role, SessionStatus, TrainingSession, User
from registrations.transaction import run

REASON = "Rappelé en mission à Vientiane à partir de demain."


def seed() -> dict:
    """Ask, as a partner, to cancel one approved registration of a running session (once)."""
    if db.session.scalar(select(Registration.id).where(Registration.cancel_requested_at.is_not(None)).limit(1)):
        return {"cancellation requests": 0}
    today = local_today()
    partners = {user.agency_id: user for user in db.session.scalars(
        select(User).where(User.role == Role.PARTNER, User.active.is_(True), User.participant_id.is_not(None)))}
    candidates = db.session.scalars(
        select(Registration).join(TrainingSession, TrainingSession.id == Registration.session_id)
        .where(Registration.state == RegistrationState.APPROVED, TrainingSession.start_date <= today,
               TrainingSession.end_date >= today,
               TrainingSession.status.in_([SessionStatus.PUBLISHED, SessionStatus.CLOSED]),
               Registration.agency_id.in_(list(partners)))
        .order_by(Registration.id.desc())).all()
    for registration in candidates:
        partner = partners[registration.agency_id]
        if registration.participant_id == partner.participant_id:
            continue  # a colleague's registration, asked by the partner
        run(request_cancellation, registration.id, agency_id=partner.agency_id, actor=partner, reason=REASON)
        return {"cancellation requests": 1}
    return {"cancellation requests": 0}
