"""Reading the audit log: filters, pages and the CSV export.

The events are written by every domain with `registrations.audit.record`; this module
only reads them.
"""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from registrations.extensions import db
from registrations.models import AuditEvent, User
from registrations.spreadsheets import neutralise

#: Labels of the actions this application records (others are shown by their name).
ACTION_LABELS = {
    "user.login": _l("Login"),
    "user.created": _l("Account created"),
    "user.updated": _l("Account changed"),
    "user.role": _l("Role changed"),
    "user.deactivated": _l("Account deactivated"),
    "user.reactivated": _l("Account reactivated"),
    "user.invitation_sent": _l("Invitation sent"),
    "user.invitation_accepted": _l("Invitation accepted"),
    "user.reset_sent": _l("Password reset sent"),
    "user.password_reset": _l("Password reset"),
    "user.password_changed": _l("Password changed"),
    "message.sent_again": _l("Message sent again"),
    "session.announcement": _l("Announcement sent"),
    "session.email_certificates": _l("E-mailing of certificates changed"),
    "agency.created": _l("Agency created"),
    "agency.updated": _l("Agency changed"),
    "agency.deactivated": _l("Agency deactivated"),
    "agency.reactivated": _l("Agency reactivated"),
    "agency.deleted": _l("Agency deleted"),
    "registration.state": _l("Registration state changed"),
    "attendance.mark": _l("Attendance marked"),
    "certificate.issued": _l("Certificate issued"),
    "certificate.revoked": _l("Certificate revoked"),
    "evaluation.questions": _l("Questionnaire changed"),
    "evaluation.submitted": _l("Evaluation answered"),
    "participant.exported": _l("Personal data exported"),
    "participant.anonymised": _l("Participant anonymised"),
    "audit.exported": _l("Audit log exported"),
    "api_token.created": _l("Access token created"),
    "api_token.revoked": _l("Access token revoked"),
    "api_token.write": _l("Change made through the API"),
    "webhook.created": _l("Webhook endpoint registered"),
    "webhook.updated": _l("Webhook endpoint changed"),
    "webhook.disabled": _l("Webhook endpoint disabled"),
    "webhook.sent_again": _l("Webhook delivery sent again"),
    "user.logins_ended": _l("Logins ended"),
    "certificate.issue": _l("Certificate issued"),
    "certificate.reissue": _l("Certificate re-issued"),
    "certificate.revoke": _l("Certificate revoked"),
    "certificate.supersede": _l("Certificate superseded"),
    "registration.note": _l("Internal note changed"),
    "registration.offer": _l("Seat offered"),
    "registration.offer_withdrawn": _l("Seat offer withdrawn"),
    "registration.cancel_request": _l("Cancellation requested"),
    "registration.cancel_request_confirmed": _l("Cancellation request confirmed"),
    "registration.cancel_request_refused": _l("Cancellation request refused"),
    "session.created": _l("Session created"),
    "session.updated": _l("Session changed"),
    "session.deleted": _l("Session deleted"),
    "session.duplicated": _l("Session duplicated"),
    "session.days": _l("Session days changed"),
    "session.status": _l("Session status changed"),
    "session.waitlist_order": _l("Waiting list reordered"),
}

#: What the actions of each kind are about (the filter's "all actions" entries).
KIND_LABELS = {
    "user": _l("Accounts"),
    "agency": _l("Agencies"),
    "registration": _l("Registrations"),
    "session": _l("Sessions"),
    "certificate": _l("Certificates"),
    "attendance": _l("Attendance"),
    "evaluation": _l("Evaluations"),
    "participant": _l("Participants"),
    "message": _l("Messages"),
    "audit": _l("Audit log"),
}

#: The objects events are about, by table name.
OBJECT_TYPE_LABELS = {
    "user_account": _l("Account"),
    "agency": _l("Agency"),
    "registration": _l("Registration"),
    "training_session": _l("Session"),
    "certificate": _l("Certificate"),
    "attendance": _l("Attendance"),
    "participant": _l("Participant"),
    "message": _l("Message"),
    "evaluation_response": _l("Evaluation"),
}

#: Names of the fields events record before and after.
FIELD_LABELS = {
    "state": _l("State"),
    "status": _l("Status"),
    "reason": _l("Reason"),
    "note": _l("Internal note"),
    "role": _l("Role"),
    "email": _l("Email"),
    "capacity": _l("Capacity"),
    "order": _l("Order"),
    "how": _l("How"),
    "offer_expires_at": _l("Offer open until"),
    "requested_at": _l("Requested on"),
    "serial": _l("Serial number"),
    "active": _l("Active"),
    "email_certificates": _l("E-mail certificates"),
    "display_name": _l("Name"),
    "locale": _l("Language"),
}

def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label else action

def kind_label(kind: str) -> str:
    """"registration" → "Registrations" (the name itself when unknown)."""
    label = KIND_LABELS.get(kind)
    return str(label) if label else kind

def object_type_label(object_type: str) -> str:
    label = OBJECT_TYPE_LABELS.get(object_type)
    return str(label) if label else object_type

def _value_labels() -> dict[str, dict[str, str]]:
    """Translated values of the fields that hold a state, a status or a role."""
    from registrations.models import CertificateStatus, RegistrationState, Role, SessionStatus

    states = {state.value: str(state.label) for state in RegistrationState}
    statuses = {status.value: str(status.label) for status in (*CertificateStatus, *SessionStatus)}
    roles = {role.value: str(role.label) for role in Role}
    how = {"up": str(_l("Up")), "down": str(_l("Down")), "one-per-agency": str(_l("One per agency first"))}
    return {"state": states, "status": statuses, "role": roles, "how": how}

@dataclass(frozen=True)
class AuditFilters:
    """What the reader asked for; every field is optional."""

    who: str = ""
    action: str = ""
    object_type: str = ""
    object_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict:
        """The filters as query-string arguments (for links to pages and the export)."""
        values = {"who": self.who, "action": self.action, "object_type": self.object_type,
                  "object_id": self.object_id, "date_from": self.date_from, "date_to": self.date_to}
        return {key: value for key, value in values.items() if value not in (None, "")}

def events_query(filters: AuditFilters) -> Select:
    """Events with the actor's email, newest first, narrowed by the filters.

    An action ending in ".*" selects a whole kind ("registration.*").
    """
    actor = aliased(User)
    query = select(AuditEvent, actor.email).outerjoin(actor, actor.id == AuditEvent.actor_id)
    return _narrowed(query, filters, actor).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())

def count_query(filters: AuditFilters) -> Select:
    """How many events `events_query` gives: joined to the accounts only to filter by actor (the
    outer join cost one account lookup per event on a large log)."""
    actor = aliased(User)
    query = select(func.count()).select_from(AuditEvent)
    if filters.who:
        query = query.join(actor, actor.id == AuditEvent.actor_id)
    return _narrowed(query, filters, actor)

def _narrowed(query: Select, filters: AuditFilters, actor) -> Select:
    if filters.who:
        query = query.where(actor.email.contains(filters.who.strip().lower(), autoescape=True))
    if filters.action.endswith(".*"):
        query = query.where(AuditEvent.action.startswith(filters.action[:-1], autoescape=True))
    elif filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.object_type:
        query = query.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id is not None:
        query = query.where(AuditEvent.object_id == filters.object_id)
    if filters.date_from:
        query = query.where(AuditEvent.at >= _start_of(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEvent.at < _start_of(filters.date_to + timedelta(days=1)))
    return query

def _start_of(day: date) -> datetime:
    """Midnight of a day in the office's timezone, as the dates a reader types mean."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time.min, tzinfo=zone)

def filter_choices() -> tuple[list[str], list[str]]:
    """The actions and object types present in the log (two small queries)."""
    return _distinct(AuditEvent.action), [t for t in _distinct(AuditEvent.object_type) if t]

def _distinct(column) -> list[str]:
    """The distinct values of an indexed column in order, one index seek per value (a recursive
    query that asks for the next larger value): SELECT DISTINCT read the whole index, 20 ms per
    column on a log of 600,000 events."""
    found = select(func.min(column).label("value")).cte("found", recursive=True)
    following = select(select(func.min(column)).where(column > found.c.value).scalar_subquery())
    found = found.union_all(following.where(found.c.value.is_not(None)))
    return list(db.session.scalars(select(found.c.value).where(found.c.value.is_not(None))))

def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str) if value else ""

CSV_HEADER = ("at_utc", "actor", "action", "object_type", "object_id", "before", "after", "reason")

def csv_lines(filters: AuditFilters, batch: int = 500) -> Iterator[str]:
    """The filtered log as CSV text, UTF-8 with a byte-order mark, a few lines at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(CSV_HEADER)
    rows = db.session.execute(events_query(filters).execution_options(yield_per=batch))
    for count, (event, email) in enumerate(rows, start=1):
        writer.writerow([neutralise(v) for v in (
            event.at.isoformat(timespec="seconds"), email or "", event.action, event.object_type,
            event.object_id, _json(event.before), _json(event.after), event.reason)])
        if count % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()

def changes(event: AuditEvent, values: dict | None = None) -> list[tuple[str, str, str]]:
    """(field, before, after) of an event, for display in the reader's language: field names and
    the values of states, statuses and roles translated, others as recorded. `values` is
    `_value_labels()`, looked up once per page by the caller."""
    values = _value_labels() if values is None else values
    before, after = event.before or {}, event.after or {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))

    def shown(key, value):
        named = values.get(key, {})
        return named.get(value, _short(value)) if isinstance(value, str) else _short(value)

    return [(str(FIELD_LABELS.get(key, key)), shown(key, before.get(key)), shown(key, after.get(key)))
            for key in keys]

def _short(value) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:79] + "…"
