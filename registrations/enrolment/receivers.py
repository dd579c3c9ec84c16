"""Reactions to the sessions domain, connected in the blueprint's set-up.

Signal receivers run inside the sender's transaction, before it commits: they lock the session
row within that transaction and never commit themselves.
"""

from sqlalchemy import select, update

from registrations import audit
from registrations.enrolment.seats import SeatBook
from registrations.enrolment.services import expire_due, fill_seats
from registrations.extensions import db
from registrations.models import Registration, TrainingSession, utcnow
from registrations.models import RegistrationState as S


def _lock_within_transaction(session_id: int) -> TrainingSession:
    """Lock the session row inside the caller's open transaction (signal receivers run there).

    An UPDATE that changes nothing takes the row's write lock on PostgreSQL and the database's
    write lock on SQLite, without committing what the caller has not committed yet.
    """
    db.session.execute(
        update(TrainingSession).where(TrainingSession.id == session_id)
        .values(seats_taken=TrainingSession.seats_taken).execution_options(synchronize_session=False))
    return db.session.scalars(select(TrainingSession).where(TrainingSession.id == session_id)
                              .execution_options(populate_existing=True)).one()


def on_seats_freed(sender: TrainingSession, **kwargs) -> None:
    """Capacity raised or a quota loosened: give the new seats to the waiting list."""
    now = utcnow()
    session = _lock_within_transaction(sender.id)
    book = SeatBook.load(session, now)
    expire_due(session, now, book)
    fill_seats(session, book, now, kwargs.get("actor"))


def on_session_cancelled(sender: TrainingSession, **kwargs) -> None:
    """A cancelled session keeps its registrations as they are; open seat offers are withdrawn."""
    for registration in db.session.scalars(select(Registration).where(
            Registration.session_id == sender.id, Registration.state == S.WAITLISTED,
            Registration.offer_expires_at.is_not(None))):
        registration.offer_expires_at = None
        audit.record("registration.offer_withdrawn", registration, actor=kwargs.get("actor"),
                     reason=kwargs.get("reason", ""))
