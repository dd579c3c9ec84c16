"""Generate years of realistic data in bulk, to measure the application at scale.

    flask --app app seed-scale                 # 2,000 sessions, 100,000 participants, …
    flask --app app seed-scale --scale 0.01    # the same shape, a hundredth of the size

Rows are built in memory and written with Core `executemany` in chunks (no ORM object per row),
with explicit primary keys so that no row needs to be read back. Everything is written in one
transaction: a failure leaves the database as it was. The same seed on the same day gives the
same data.
"""

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timezone
from itertools import islice

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from benchmarks.scale import activity, people, sessions
from registrations.enrolment.seats import recount_seats_taken
from registrations.extensions import db
from registrations.models import (
    Agency,
    Attendance,
    Certificate,
    Participant,
    Registration,
    Role,
    SessionDay,
    SessionQuota,
    TrainingSession,
    User,
)

#: Password of every account the generator creates (printed by the command).
PASSWORD = "scale-benchmark-2026"  # noqa: S105 (benchmark accounts, printed on purpose)
ORGANISER_EMAIL = "organiser@scale.test"
ADMIN_EMAIL = "admin@scale.test"
PARTNER_EMAIL = "partner{n:02d}@scale.test"
CHUNK = 10_000


@dataclass(frozen=True)
class Sizes:
    """How much to generate; the attendance and certificate figures are targets (about)."""

    sessions: int = 2_000
    participants: int = 100_000
    registrations: int = 300_000
    attendance: int = 1_000_000
    certificates: int = 60_000
    #: Partner accounts (spread over Vietnam, Cambodia and Laos); not scaled.
    partners: int = 24

    def scaled(self, factor: float) -> "Sizes":
        """Every size but the accounts multiplied by `factor` (at least one of each)."""
        values = {f.name: max(1, round(getattr(self, f.name) * factor)) for f in fields(self) if f.name != "partners"}
        return replace(self, **values)


class AlreadySeeded(Exception):
    """The database already holds sessions (pass force=True to add more anyway)."""


def is_seeded() -> bool:
    """Whether the database already holds training sessions."""
    return bool(db.session.scalar(sa.select(sa.func.count()).select_from(TrainingSession)))


class _Writer:
    """Bulk inserts in chunks, timed per table."""

    def __init__(self, connection, echo: Callable[[str], None] | None):
        self.connection = connection
        self.echo = echo or (lambda line: None)
        self.report: dict[str, dict] = {}

    def next_id(self, model) -> int:
        return (self.connection.scalar(sa.select(sa.func.max(model.id))) or 0) + 1

    def insert(self, model, rows: Iterable[dict], label: str | None = None) -> int:
        label = label or model.__tablename__
        started = time.perf_counter()
        table = model.__table__
        count = 0
        iterator = iter(rows)
        while chunk := list(islice(iterator, CHUNK)):
            self.connection.execute(table.insert(), chunk)
            count += len(chunk)
        self.note(label, count, time.perf_counter() - started)
        return count

    def note(self, label: str, count: int, seconds: float) -> None:
        entry = self.report.setdefault(label, {"rows": 0, "seconds": 0.0})
        entry["rows"] += count
        entry["seconds"] += seconds
        rate = f"{count / seconds:>9,.0f} rows/s" if seconds > 0 and count else ""
        self.echo(f"  {label:<20} {count:>10,} rows {seconds:>7.2f} s {rate}")


def seed_scale(sizes: Sizes = Sizes(), seed: int = 2026, force: bool = False,
               echo: Callable[[str], None] | None = None, today: date | None = None) -> dict:
    """Generate `sizes` of data and commit it; return {table: {"rows", "seconds"}} plus accounts.

    Raises AlreadySeeded when the database holds sessions, unless `force`.
    """
    if not force and is_seeded():
        raise AlreadySeeded()
    rng = random.Random(seed)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    today = today or now.date()
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        # Keep the indexes being filled in memory (256 MB) rather than spilling them to disk
        # while they grow; this connection only, back to SQLite's default before the commit.
        connection.exec_driver_sql("PRAGMA cache_size = -262144")
    writer = _Writer(connection, echo)
    started = time.perf_counter()
    try:
        accounts = _generate(writer, rng, sizes, now, today)
        recount_seats_taken()  # the documented bulk path: seats_taken from the registrations written
        if connection.dialect.name == "postgresql":
            _after_postgresql_load(writer)
        else:
            connection.exec_driver_sql("PRAGMA cache_size = -2000")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    writer.report["total"] = {"rows": sum(e["rows"] for e in writer.report.values()),
                              "seconds": time.perf_counter() - started}
    writer.report["accounts"] = accounts
    return writer.report


def _generate(writer: _Writer, rng: random.Random, sizes: Sizes, now: datetime, today: date) -> list:
    crowd = people.People()
    agency_count = min(250, max(8, sizes.participants // 500))
    first_agency = writer.next_id(Agency)
    rows = [people.office_row(first_agency, now)]
    rows += people.agency_rows(rng, agency_count, first_agency + 1, now, crowd)
    writer.insert(Agency, rows, "agency")

    password_hash = generate_password_hash(PASSWORD, method="scrypt")
    existing = set(writer.connection.scalars(sa.select(User.email)))
    next_user = writer.next_id(User)
    staff = []
    for email, role, name in ((ORGANISER_EMAIL, Role.ORGANISER, "Julien BERNARD"),
                              (ADMIN_EMAIL, Role.ADMIN, "Claire MARTIN")):
        if email not in existing:
            staff.append(_user_row(next_user, email, password_hash, role, first_agency, None, name, "fr", now))
            next_user += 1
    writer.insert(Participant, people.participant_rows(rng, sizes.participants, writer.next_id(Participant),
                                                       now, crowd), "participant")
    partners, accounts = [], [(ORGANISER_EMAIL, "organiser", ""), (ADMIN_EMAIL, "admin", "")]
    for n, (participant_id, agency_id) in enumerate(people.account_plan(crowd, sizes.partners), start=1):
        email = PARTNER_EMAIL.format(n=n)
        accounts.append((email, "partner", crowd.agency_country[agency_id]))
        if email in existing:
            continue
        _, country, locale, latin, *_ = crowd.person[participant_id]
        partners.append(_user_row(next_user, email, password_hash, Role.PARTNER, agency_id, participant_id,
                                  latin, locale, now))
        next_user += 1
    writer.insert(User, staff + partners, "user_account")
    organiser_id = writer.connection.scalar(sa.select(User.id).where(User.email == ORGANISER_EMAIL))

    started = time.perf_counter()
    plans = sessions.plan_sessions(rng, sizes.sessions, writer.next_id(TrainingSession), today)
    sessions.allocate_registrations(rng, plans, crowd, sizes.registrations)
    sessions.fit_days(plans, sizes.attendance, today)
    writer.note("(planning)", 0, time.perf_counter() - started)
    writer.insert(TrainingSession, sessions.session_rows(plans, organiser_id, now), "training_session")
    writer.insert(SessionDay, sessions.day_rows(plans, writer.next_id(SessionDay)), "session_day")
    writer.insert(SessionQuota, sessions.quota_rows(plans, writer.next_id(SessionQuota)), "session_quota")

    approved: dict[int, list] = {}
    attended: dict[int, int] = {}
    writer.insert(Registration, activity.registration_rows(rng, plans, crowd, writer.next_id(Registration), now,
                                                           approved), "registration")
    writer.insert(Attendance, activity.attendance_rows(rng, plans, approved, writer.next_id(Attendance),
                                                       organiser_id, today, attended), "attendance")
    writer.insert(Certificate, activity.certificate_rows(rng, plans, approved, attended, crowd,
                                                         writer.next_id(Certificate), sizes.certificates,
                                                         organiser_id, now), "certificate")
    return accounts


def _user_row(user_id, email, password_hash, role, agency_id, participant_id, name, locale, now) -> dict:
    return {"id": user_id, "email": email, "password_hash": password_hash, "role": role, "agency_id": agency_id,
            "participant_id": participant_id, "display_name": name, "locale": locale, "active": True,
            "session_version": 1, "created_at": now, "last_login_at": None}


def _after_postgresql_load(writer: _Writer) -> None:
    """Move the id sequences past the explicit ids, and gather planner statistics (as autovacuum
    would after a bulk load)."""
    started = time.perf_counter()
    for model in (Agency, User, Participant, TrainingSession, SessionDay, SessionQuota, Registration,
                  Attendance, Certificate):
        name = model.__tablename__
        writer.connection.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 (model names only)
            f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))
    writer.connection.execute(sa.text("ANALYZE"))
    writer.note("(sequences, analyze)", 0, time.perf_counter() - started)
