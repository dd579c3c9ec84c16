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
}



def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label else action


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


def changes(event: AuditEvent) -> list[tuple[str, str, str]]:
    """(field, before, after) of an event, for display."""
    before, after = event.before or {}, event.after or {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return [(key, _short(before.get(key)), _short(after.get(key))) for key in keys]


def _short(value) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:79] + "…"
