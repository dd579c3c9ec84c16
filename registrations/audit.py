"""Recording audit events: who did what to which object, when, and why."""

from flask import has_request_context
from flask_login import current_user

from registrations.extensions import db
from registrations.models import AuditEvent, key_of


def record(action: str, obj=None, *, actor=None, object_type: str | None = None,
           object_id: int | None = None, before: dict | None = None, after: dict | None = None,
           reason: str = "") -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits).

    The actor defaults to the logged-in user of the current request, if any.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    event = AuditEvent(
        action=action,
        actor_id=key_of(actor),
        object_type=object_type or "",
        object_id=object_id,
        before=before,
        after=after,
        reason=reason or "",
    )
    db.session.add(event)
    return event
