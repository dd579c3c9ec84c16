"""The audit log's page count and filter lists, read cheaply, say the same as the events."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from registrations.admin.audit_log import AuditFilters, count_query, events_query, filter_choices
from registrations.audit import record
from registrations.models import AuditEvent


def test_count_agrees_with_the_listed_events_for_every_filter(db, admin_user, organiser_user):
    now = datetime.now(timezone.utc)
    for n in range(12):
        event = record(["registration.state", "attendance.mark", "user.login"][n % 3],
                       actor=[admin_user, organiser_user, None][n % 3 if n % 4 else 2],
                       object_type=["registration", "attendance", ""][n % 3], object_id=n % 5)
        event.at = now - timedelta(days=n)
    db.session.commit()
    cases = [AuditFilters(), AuditFilters(who="organiser@"), AuditFilters(who="nobody"),
             AuditFilters(action="registration.*"), AuditFilters(action="user.login"),
             AuditFilters(object_type="attendance", object_id=1),
             AuditFilters(date_from=(now - timedelta(days=4)).date()),
             AuditFilters(who="admin", action="registration.state", date_to=now.date())]
    for filters in cases:
        listed = len(db.session.execute(events_query(filters)).all())
        assert db.session.scalar(count_query(filters)) == listed, filters
    assert db.session.scalar(count_query(AuditFilters())) == 12


def test_filter_lists_are_the_distinct_actions_and_types_in_order(db, admin_user):
    assert filter_choices() == ([], [])
    for action, object_type in [("user.login", ""), ("agency.created", "agency"), ("user.login", ""),
                                ("registration.state", "registration"), ("agency.updated", "agency")]:
        record(action, actor=admin_user, object_type=object_type, object_id=1)
    db.session.commit()
    distinct_actions = list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
    assert filter_choices() == (distinct_actions, ["agency", "registration"])
    assert distinct_actions == ["agency.created", "agency.updated", "registration.state", "user.login"]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 5
