"""From the domain's signals to deliveries: each event is recorded, in the sender's transaction,
as one delivery per endpoint that listens to it; the sending is enqueued after the commit (a
rollback drops them), like the outbox's emails."""

import json
import secrets
import time

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy import select

from registrations import signals
from registrations.extensions import db
from registrations.models import Certificate, Registration, TrainingSession, WebhookDelivery, WebhookEndpoint, utcnow

#: The events an endpoint can listen to.
EVENTS = ("registration.created", "registration.state_changed", "session.published", "session.cancelled",
          "attendance.marked", "certificate.issued", "certificate.revoked")

_PENDING = "webhook_deliveries"
_COMMITTED = "webhook_committed"


#: Seconds the list of active endpoints is kept in a process: changes made here are seen at once,
#: those made by another instance within this time (a disabled endpoint is also checked at sending).
ENDPOINTS_TTL = 30.0
_cache: dict = {}


def forget_endpoints() -> None:
    """Read the endpoints again at the next event (after a change to them)."""
    _cache.clear()


def active_endpoints() -> list[tuple[int, list[str]]]:
    """Active endpoints and their events, kept for ENDPOINTS_TTL seconds, so that the
    transactions that emit events (a mark, a registration) run no extra query."""
    now = time.monotonic()
    if _cache.get("until", 0) < now:
        _cache["rows"] = [(endpoint_id, events.split()) for endpoint_id, events in db.session.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.events).where(WebhookEndpoint.active))]
        _cache["until"] = now + ENDPOINTS_TTL
    return _cache["rows"]


def emit(name: str, data: dict) -> int:
    """Record the event `name` for every active endpoint that listens to it; returns how many."""
    listeners = [endpoint_id for endpoint_id, events in active_endpoints() if name in events]
    if not listeners:
        return 0
    now = utcnow()
    body = json.dumps({"type": name, "timestamp": now.isoformat(timespec="seconds"), "data": data},
                      ensure_ascii=False, separators=(",", ":"))
    for endpoint_id in listeners:
        message_id = "msg_" + secrets.token_urlsafe(18)
        db.session.add(WebhookDelivery(endpoint_id=endpoint_id, message_id=message_id, event=name, payload=body,
                                       next_attempt_at=now, created_at=now))
        db.session.info.setdefault(_PENDING, []).append(message_id)
    return len(listeners)


def _registration(registration: Registration) -> dict:
    return {"id": registration.id, "session_id": registration.session_id, "agency_id": registration.agency_id,
            "participant_id": registration.participant_id, "state": registration.state.value}


def on_registration_state_changed(registration: Registration, before=None, after=None, actor=None, **_):
    if before is None:
        emit("registration.created", _registration(registration))
    else:
        emit("registration.state_changed", {**_registration(registration), "previous_state": before.value})


def _session(session: TrainingSession) -> dict:
    return {"id": session.id, "title": session.title_fr, "start_date": session.start_date.isoformat(),
            "end_date": session.end_date.isoformat(), "status": session.status.value}


def on_session_published(session: TrainingSession, **_):
    emit("session.published", _session(session))


def on_session_cancelled(session: TrainingSession, reason: str = "", **_):
    emit("session.cancelled", {**_session(session), "reason": reason})


def on_attendance_marked(_sender, attendance_id: int, registration_id: int, day_id: int, status, **_):
    emit("attendance.marked", {"id": attendance_id, "registration_id": registration_id, "day_id": day_id,
                               "status": status.value})


def _certificate(certificate: Certificate) -> dict:
    return {"id": certificate.id, "registration_id": certificate.registration_id, "serial": certificate.serial,
            "status": certificate.status.value}


def on_certificate_issued(certificate: Certificate, **_):
    emit("certificate.issued", _certificate(certificate))


def on_certificate_revoked(certificate: Certificate, reason: str = "", **_):
    emit("certificate.revoked", {**_certificate(certificate), "reason": reason})


def _after_commit(session):
    ids = session.info.pop(_PENDING, None)
    if ids:
        session.info.setdefault(_COMMITTED, []).extend(ids)


def _after_rollback(session):
    session.info.pop(_PENDING, None)


def _after_transaction_end(session, transaction):
    if transaction.parent is not None:
        return
    ids = session.info.pop(_COMMITTED, None)
    if ids:
        from registrations.tasks import deliver_webhooks

        try:
            deliver_webhooks(ids)
        except Exception:  # the periodic sweep delivers them anyway
            current_app.logger.exception("Could not enqueue webhook deliveries %s", ids)


def connect() -> None:
    """Connect the receivers (weakly referenced module functions stay alive) and the session hooks."""
    signals.registration_state_changed.connect(on_registration_state_changed)
    signals.session_published.connect(on_session_published)
    signals.session_cancelled.connect(on_session_cancelled)
    signals.attendance_marked.connect(on_attendance_marked)
    signals.certificate_issued.connect(on_certificate_issued)
    signals.certificate_revoked.connect(on_certificate_revoked)
    if not sa_event.contains(db.session, "after_commit", _after_commit):
        sa_event.listen(db.session, "after_commit", _after_commit)
        sa_event.listen(db.session, "after_rollback", _after_rollback)
        sa_event.listen(db.session, "after_transaction_end", _after_transaction_end)
