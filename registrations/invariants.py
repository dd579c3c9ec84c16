"""What must always hold in the data, recounted from the rows themselves (`flask check`).

- A session's `seats_taken` equals its approved registrations, which never exceed its capacity
  (seats held by open offers may, when an organiser cut the capacity under them).
- No agency or country holds more seats (approved plus open offers) than its quota (a quota an
  organiser lowered under the seats already held is reported too: it is worth knowing).
- A registration has at most one valid certificate, and certificate serials are unique.

The database enforces part of this (CHECK constraints, unique indexes); the rest is kept by the
services under the session's row lock. The command finds what slipped through (data loaded in
bulk, edited by hand, or written by an older version) and prints one line per difference.
"""

import click
from flask.cli import with_appcontext
from sqlalchemy import and_, func, or_, select

from registrations.extensions import db
from registrations.models import (
    Certificate,
    CertificateStatus,
    Registration,
    RegistrationState,
    SessionQuota,
    TrainingSession,
    utcnow,
)


def _holding(now):
    """Registrations that hold a seat: approved, or waitlisted with an offer still open."""
    return or_(Registration.state == RegistrationState.APPROVED,
               and_(Registration.state == RegistrationState.WAITLISTED, Registration.offer_expires_at > now))


def seat_differences() -> list[str]:
    """Sessions whose counter or capacity disagrees with their registrations."""
    approved = func.count().filter(Registration.state == RegistrationState.APPROVED)
    rows = db.session.execute(
        select(TrainingSession.id, TrainingSession.seats_taken, TrainingSession.capacity, func.coalesce(approved, 0))
        .outerjoin(Registration, Registration.session_id == TrainingSession.id)
        .group_by(TrainingSession.id, TrainingSession.seats_taken, TrainingSession.capacity)
        .order_by(TrainingSession.id))
    found = []
    for session_id, seats_taken, capacity, approved_count in rows:
        if seats_taken != approved_count:
            found.append(f"session {session_id}: seats_taken is {seats_taken}, approved registrations {approved_count}")
        if approved_count > capacity:
            found.append(f"session {session_id}: {approved_count} approved registrations, capacity {capacity}")
    return found


def quota_differences(now) -> list[str]:
    """Quotas exceeded by the seats an agency or a country holds."""
    found = []
    for key, column in (("agency", Registration.agency_id), ("country", Registration.country)):
        quota_column = SessionQuota.agency_id if key == "agency" else SessionQuota.country
        rows = db.session.execute(
            select(SessionQuota.session_id, quota_column, SessionQuota.seats, func.count(Registration.id))
            .join(Registration, and_(Registration.session_id == SessionQuota.session_id, column == quota_column,
                                     _holding(now)))
            .where(quota_column.is_not(None))
            .group_by(SessionQuota.id, SessionQuota.session_id, quota_column, SessionQuota.seats)
            .having(func.count(Registration.id) > SessionQuota.seats)
            .order_by(SessionQuota.session_id))
        found += [f"session {session_id}: {key} {value} holds {used} seats, quota {seats}"
                  for session_id, value, seats, used in rows]
    return found


def certificate_differences() -> list[str]:
    """Registrations with more than one valid certificate; serials used twice."""
    several = db.session.execute(
        select(Certificate.registration_id, func.count())
        .where(Certificate.status == CertificateStatus.VALID)
        .group_by(Certificate.registration_id).having(func.count() > 1).order_by(Certificate.registration_id))
    found = [f"registration {registration_id}: {count} valid certificates" for registration_id, count in several]
    serials = db.session.execute(
        select(Certificate.serial, func.count()).group_by(Certificate.serial).having(func.count() > 1)
        .order_by(Certificate.serial))
    found += [f"certificate serial {serial}: used {count} times" for serial, count in serials]
    return found


def differences(now=None) -> list[str]:
    """Every difference between the stored counters and constraints and the rows."""
    now = now or utcnow()
    return seat_differences() + quota_differences(now) + certificate_differences()


@click.command("check")
@with_appcontext
def check_command():
    """Recount seats, quotas and certificates; print each difference (exit code 1 when any)."""
    found = differences()
    for line in found:
        click.echo(line)
    if found:
        raise SystemExit(1)
    click.echo("No difference: seats, quotas and certificates agree with the registrations.")
