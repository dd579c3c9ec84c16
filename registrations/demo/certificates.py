"""Demo certificates: every eligible participant of the ended demo sessions gets one.

Runs after the attendance step; with nothing eligible it does nothing. One certificate is
revoked with a reason, so that the verification page shows both outcomes. Idempotent: what
was issued stays, and issuing is itself idempotent.
"""


from sqlalchemy import func, or_, select

from registrations.certificates.services import candidates, issue, revoke, session_has_ended
from registrations.clock import local_today
from registrations.extensions import db
from registrations.models import (
    Certificate,
    CertificateStatus,
    Registration,
    Role,
    SessionStatus,
    TrainingSession,
    User,
)
from registrations.transaction import run

REVOKE_REASON = "Délivré par erreur : nom mal orthographié, un certificat corrigé sera établi."


def seed() -> dict:
    """Issue the certificates of the ended demo sessions and revoke one of them."""
    today = local_today()
    actor = db.session.scalar(select(User).where(User.role == Role.ORGANISER).order_by(User.id).limit(1))
    sessions = db.session.scalars(
        select(TrainingSession).where(
            TrainingSession.status != SessionStatus.CANCELLED,
            or_(TrainingSession.status == SessionStatus.COMPLETED, TrainingSession.end_date < today))
        .order_by(TrainingSession.start_date, TrainingSession.id)
    ).all()
    issued = 0
    for training in sessions:
        if not session_has_ended(training, today):
            continue
        waiting = [c.registration.id for c in candidates(training, today=today) if c.eligible and c.certificate is None]
        # A registration whose certificate was revoked keeps it that way (idempotent).
        had_one = set(db.session.scalars(
            select(Certificate.registration_id).where(Certificate.registration_id.in_(waiting))))
        for registration_id in waiting:
            if registration_id not in had_one:
                run(issue, registration_id, actor=actor, today=today)
                issued += 1
    revoked = 0
    any_revoked = select(Certificate.id).where(Certificate.status == CertificateStatus.REVOKED).limit(1)
    if db.session.scalar(any_revoked) is None:
        target = _one_to_revoke()
        if target is not None:
            run(revoke, target, REVOKE_REASON, actor=actor)
            revoked = 1
    return {"certificates": issued, "revoked certificates": revoked}


def _one_to_revoke() -> int | None:
    """The newest certificate of the agency that has the most, so every agency keeps a valid one."""
    valid = func.count(Certificate.id)
    row = db.session.execute(
        select(Registration.agency_id, valid, func.max(Certificate.id))
        .join(Certificate, Certificate.registration_id == Registration.id)
        .where(Certificate.status == CertificateStatus.VALID)
        .group_by(Registration.agency_id).order_by(valid.desc(), Registration.agency_id).limit(1)
    ).first()
    return row[2] if row is not None and row[1] >= 2 else None
