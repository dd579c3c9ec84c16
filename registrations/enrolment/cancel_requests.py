"""Cancelling once attendance has started: the partner asks, the office confirms or refuses.

An approved registration whose session has begun (its first day has come in the office's time
zone) or for which attendance was already marked can no longer be cancelled by a partner alone:
attendance, certificates and the office's figures depend on it. The partner sends a request
(with a reason); the office confirms it (the registration is cancelled as usual, its seat passes
to the waiting list) or refuses it (with a reason). Each step is audited and told by email
through the outbox.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from registrations import audit
from registrations.clock import local_today
from registrations.enrolment import notify
from registrations.enrolment.services import (
    S,
    _change,
    _locked_registration,
    _refuse,
    _release,
    expire_due,
    fill_seats,
)
from registrations.extensions import db
from registrations.models import Attendance, Registration, SessionStatus, TrainingSession, User


def needs_confirmation(registration: Registration, session: TrainingSession) -> bool:
    """Whether a partner's cancellation of this registration must be confirmed by the office:
    approved, and its session has begun or attendance was marked for it."""
    if registration.state != S.APPROVED:
        return False
    if session.start_date is not None and session.start_date <= local_today():
        return True
    return bool(db.session.scalar(select(exists().where(Attendance.registration_id == registration.id))))


def _clear(registration: Registration) -> dict:
    before = {"requested_at": registration.cancel_requested_at.isoformat() if registration.cancel_requested_at
              else None, "reason": registration.cancel_request_reason}
    registration.cancel_requested_at = None
    registration.cancel_requested_by_id = None
    registration.cancel_request_reason = ""
    return before


def request_cancellation(registration_id: int, *, agency_id: int | None, actor: User | None = None,
                         reason: str = "", now: datetime | None = None) -> Registration:
    """A partner asks the office to cancel a registration whose attendance has started."""
    reason = (reason or "").strip()
    session, _book, registration, now = _locked_registration(registration_id, agency_id, now)
    if session.status in (SessionStatus.CANCELLED, SessionStatus.COMPLETED):
        _refuse(_l("This session is over: its registrations can no longer be cancelled."))
    if not needs_confirmation(registration, session):
        _refuse(_l("This registration can be cancelled directly."))
    if registration.cancel_requested_at is not None:
        _refuse(_l("A cancellation request is already waiting for the office."))
    if not reason:
        _refuse(_l("Say why the registration should be cancelled."), 400)
    registration.cancel_requested_at = now
    registration.cancel_requested_by_id = actor.id if actor is not None else None
    registration.cancel_request_reason = reason
    audit.record("registration.cancel_request", registration, actor=actor, after={"reason": reason}, reason=reason)
    notify.state_changed(registration, session, registration.participant, "cancel_requested", reason)
    db.session.flush()
    return registration


def _pending_request(registration_id: int, now: datetime | None):
    session, book, registration, now = _locked_registration(registration_id, None, now)
    if registration.cancel_requested_at is None:
        _refuse(_l("There is no cancellation request for this registration."))
    return session, book, registration, now


def confirm_cancellation(registration_id: int, *, actor: User | None = None,
                         now: datetime | None = None) -> Registration:
    """The office confirms a partner's request: the registration is cancelled with the request's
    reason, and its seat passes to the waiting list."""
    session, book, registration, now = _pending_request(registration_id, now)
    before = _clear(registration)
    audit.record("registration.cancel_request_confirmed", registration, actor=actor, before=before)
    freed = _release(registration, book, now)
    _change(registration, S.CANCELLED, session=session, participant=registration.participant, actor=actor,
            now=now, reason=before["reason"])
    if expire_due(session, now, book) or freed:
        fill_seats(session, book, now, actor)
    db.session.flush()
    return registration


def refuse_cancellation(registration_id: int, *, actor: User | None = None, reason: str = "",
                        now: datetime | None = None) -> Registration:
    """The office refuses a partner's request (with a reason): the registration stays approved."""
    reason = (reason or "").strip()
    if not reason:
        _refuse(_l("Give a reason for refusing the request."), 400)
    session, _book, registration, now = _pending_request(registration_id, now)
    before = _clear(registration)
    audit.record("registration.cancel_request_refused", registration, actor=actor, before=before, reason=reason)
    notify.state_changed(registration, session, registration.participant, "cancel_refused", reason)
    db.session.flush()
    return registration
