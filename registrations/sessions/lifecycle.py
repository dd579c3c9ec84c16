"""A session's life: publish, close, reopen, complete, cancel; duplicate; delete a draft.

Every status change is checked against `TRANSITIONS`, written to the audit log in the same
transaction, and refused with a translated message (409) when it is not allowed now. The
functions flush; the caller commits the unit of work (see `registrations.transaction`).
"""

from datetime import date
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from registrations import audit, mail
from registrations.extensions import db
from registrations.locking import lock_row
from registrations.models import (
    LIVE_STATES,
    Participant,
    Registration,
    RegistrationQuestion,
    SessionDay,
    SessionQuota,
    SessionStatus,
    TrainingSession,
)
from registrations.sessions.base import SessionError, SessionInvalid, local_today
from registrations.sessions.services import (
    EDITABLE_FIELDS,
    QuotaSpec,
    _normalise,
    current_quotas,
    generate_days,
    load_days,
    validate,
)
from registrations.signals import session_cancelled, session_published

#: target status → statuses it may be reached from.
TRANSITIONS = {
    SessionStatus.PUBLISHED: {SessionStatus.DRAFT, SessionStatus.CLOSED},
    SessionStatus.CLOSED: {SessionStatus.PUBLISHED},
    SessionStatus.COMPLETED: {SessionStatus.PUBLISHED, SessionStatus.CLOSED},
    SessionStatus.CANCELLED: {SessionStatus.DRAFT, SessionStatus.PUBLISHED, SessionStatus.CLOSED},
}



def allowed_targets(status: SessionStatus) -> list[SessionStatus]:
    """The statuses a session in `status` may be moved to (what the hub's buttons offer)."""
    return [target for target, sources in TRANSITIONS.items() if status in sources]


_REFUSALS = {
    SessionStatus.PUBLISHED: _l("Only a draft or a session with closed registrations can be published."),
    SessionStatus.CLOSED: _l("Only a published session can have its registrations closed."),
    SessionStatus.COMPLETED: _l("Only a published session or one with closed registrations can be "
                                "marked completed."),
    SessionStatus.CANCELLED: _l("A completed or already cancelled session cannot be cancelled."),
}


def _error(message, status: int = 409) -> SessionError:
    """The error to raise for a refused change (the caller's unit of work rolls back)."""
    return SessionError(message, status)


def public_url(endpoint: str, **values) -> str:
    """An absolute address on the public site (for emails and calendars, also outside requests)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def change_status(session_id: int, target: SessionStatus, *, actor=None, reason: str = "") -> TrainingSession:
    """Move a session to `target` if the transition is allowed now; audit it."""
    target = SessionStatus(target)
    reason = (reason or "").strip()
    if target == SessionStatus.CANCELLED and not reason:
        raise _error(_l("Give the reason for the cancellation: it is sent to the registered people."), 400)
    session = lock_row(TrainingSession, session_id)
    if session is None:
        raise _error(_l("This session does not exist."), 404)
    before = session.status
    if target not in allowed_targets(before):
        raise _error(_REFUSALS.get(target, _l("This change of status is not allowed.")))
    if target == SessionStatus.PUBLISHED and before == SessionStatus.DRAFT:
        days = db.session.scalar(select(func.count()).select_from(SessionDay)
                                 .where(SessionDay.session_id == session.id))
        if not days:
            raise _error(_l("Add at least one day before publishing the session."))
    if target == SessionStatus.COMPLETED and session.end_date > local_today():
        raise _error(_l("A session can be marked completed only from its last day on."))

    session.status = target
    if target == SessionStatus.CANCELLED:
        session.cancel_reason = reason
    audit.record("session.status", session, actor=actor, before={"status": before.value},
                 after={"status": target.value}, reason=reason)
    if target == SessionStatus.PUBLISHED:
        session_published.send(session, actor=actor)
    if target == SessionStatus.CANCELLED:
        # Read the people to tell before receivers (the registrations) change their states.
        recipients = _live_recipients(session.id)
        session_cancelled.send(session, reason=reason, actor=actor)
        for email, locale in recipients:
            _queue_cancellation(session, email, locale, reason)
    db.session.flush()
    return session


def cancel(session_id: int, reason: str, *, actor=None) -> TrainingSession:
    """Cancel a session with a reason that every registered person receives by email."""
    return change_status(session_id, SessionStatus.CANCELLED, actor=actor, reason=reason)


def _live_recipients(session_id: int) -> list[tuple[str, str]]:
    """(email, locale) of each participant with a live registration in the session."""
    rows = db.session.execute(
        select(Participant.email, Participant.locale)
        .join(Registration, Registration.participant_id == Participant.id)
        .where(Registration.session_id == session_id, Registration.state.in_(LIVE_STATES),
               Participant.email.is_not(None), Participant.email != "", Participant.anonymised_at.is_(None))
        .distinct()
        .order_by(Participant.email)
    )
    return [(email, locale or "fr") for email, locale in rows]


def _queue_cancellation(session: TrainingSession, email: str, locale: str, reason: str) -> None:
    mail.queue(mail.deferred("session_cancelled", email, locale, session_id=session.id, reason=reason),
               about=("session", session.id))


def render_cancellation(context: dict, to: str, locale: str) -> mail.Mail:
    """The text telling a registered person that the session is cancelled, written when it is sent."""
    session = mail.load(TrainingSession, context["session_id"])
    title = session.localized("title", locale)
    return mail.compose(
        to, locale, _l("Session cancelled: %(title)s", title=title), "emails/session_cancelled.txt",
        session=session, title=title, reason=context["reason"],
        url=public_url("sessions.detail", session_id=session.id),
    )


def duplicate_session(source_id: int, start_date: date, end_date: date | None = None, *,
                      actor=None) -> TrainingSession:
    """A new draft copied from a session, on new dates, with its days regenerated.

    Registration dates move with the start date; a day's programme is copied to the day at
    the same distance from the start when the source had one.
    """
    source = db.session.get(TrainingSession, source_id)
    if source is None:
        raise _error(_l("This session does not exist."), 404)
    if start_date is None:
        raise SessionInvalid({"start_date": [_l("Choose the start date of the new session.")]})
    end_date = end_date or start_date + (source.end_date - source.start_date)
    shift = start_date - source.start_date
    values = {name: getattr(source, name) for name in _copied_fields()}
    values.update(start_date=start_date, end_date=end_date,
                  registration_opens_at=source.registration_opens_at and source.registration_opens_at + shift,
                  registration_deadline=source.registration_deadline and source.registration_deadline + shift)
    values = _normalise(values)
    quotas: list[QuotaSpec] = current_quotas(source.id)
    validate(values, quotas)
    programmes = {(day.date - source.start_date).days: day.programme
                  for day in load_days(source.id) if day.programme}
    copy = TrainingSession(status=SessionStatus.DRAFT, duplicated_from_id=source.id,
                           created_by_id=getattr(actor, "id", None), **values)
    db.session.add(copy)
    db.session.flush()
    for day in generate_days(start_date, end_date):
        day.session_id = copy.id
        day.programme = programmes.get((day.date - start_date).days, "")
        db.session.add(day)
    for quota in quotas:
        db.session.add(SessionQuota(session_id=copy.id, country=quota.country, agency_id=quota.agency_id,
                                    seats=quota.seats))
    audit.record("session.duplicated", copy, actor=actor, before={"source_id": source.id},
                 after={"start_date": start_date.isoformat(), "end_date": end_date.isoformat()})
    db.session.flush()
    return copy


def _copied_fields():
    return [name for name in EDITABLE_FIELDS if name not in ("start_date", "end_date")]


def delete_session(session_id: int, *, actor=None) -> None:
    """Delete a draft nobody registered for; anything else is kept (cancel it instead)."""
    session = lock_row(TrainingSession, session_id)
    if session is None:
        raise _error(_l("This session does not exist."), 404)
    if session.status != SessionStatus.DRAFT:
        raise _error(_l("Only a draft can be deleted; cancel a published session instead."))
    registered = db.session.scalar(select(func.count()).select_from(Registration)
                                   .where(Registration.session_id == session.id))
    if registered:
        raise _error(_l("People registered for this session: it cannot be deleted."))
    audit.record("session.deleted", session, actor=actor,
                 before={"title_fr": session.title_fr, "start_date": session.start_date.isoformat()})
    db.session.execute(update(TrainingSession).where(TrainingSession.duplicated_from_id == session.id)
                       .values(duplicated_from_id=None))
    db.session.execute(delete(SessionDay).where(SessionDay.session_id == session.id))
    db.session.execute(delete(SessionQuota).where(SessionQuota.session_id == session.id))
    db.session.execute(delete(RegistrationQuestion).where(RegistrationQuestion.session_id == session.id))
    db.session.expunge(session)
    db.session.execute(delete(TrainingSession).where(TrainingSession.id == session_id))
    db.session.flush()


__all__ = ["TRANSITIONS", "cancel", "change_status", "delete_session", "duplicate_session", "public_url"]
