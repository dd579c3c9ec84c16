"""Attendance rules: who may be marked, on which day, and how marks are written.

Every mark is its own row (unique registration + day). Writing one is an upsert that
tolerates a race between two organisers: the row is read and locked if it exists, else
inserted inside a savepoint; when the insert hits the unique constraint (someone else
inserted the same cell meanwhile), the row is read again and updated. The last write of a
cell wins and nothing is lost. On SQLite the write transaction starts with BEGIN IMMEDIATE,
which serialises writers; on PostgreSQL the row lock and the savepoint do the work.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from registrations import audit, inputs
from registrations.attendance.queries import PART_ORDER
from registrations.clock import local_now, local_today
from registrations.extensions import db
from registrations.models import (
    Agency,
    Attendance,
    AttendanceStatus,
    DayPart,
    Participant,
    Registration,
    RegistrationState,
    SessionDay,
    User,
    utcnow,
)
from registrations.signals import attendance_marked

#: Local time from which the afternoon part of a day is the current one at check-in.
AFTERNOON_STARTS = time(12, 0)
#: Marks that mean the participant has already been checked in.
CHECKED_IN = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)

_CODE_NOISE = re.compile(r"[\s\-\u2010-\u2015_.]+")


class AttendanceError(Exception):
    """An attendance rule was broken; `message` is translated, `status` the HTTP status."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


@dataclass(frozen=True)
class MarkResult:
    """The outcome of writing one mark."""

    attendance: Attendance
    before: AttendanceStatus | None
    changed: bool


@dataclass(frozen=True)
class CheckInResult:
    """Who was checked in (or had already been), on which day, and the mark."""

    registration: Registration
    participant: Participant
    agency: Agency
    day: SessionDay
    attendance: Attendance
    already: bool


# ---------------------------------------------------------------- time

def day_has_started(day: SessionDay, today: date | None = None) -> bool:
    """Whether marks may be taken for a day (it is today or in the past)."""
    return day.date <= (today or local_today())


def current_part(now: datetime | None = None) -> DayPart:
    """The half-day under way at a local time."""
    now = now or local_now()
    return DayPart.MORNING if now.time() < AFTERNOON_STARTS else DayPart.AFTERNOON


# ---------------------------------------------------------------- parsing

def parse_status(value) -> AttendanceStatus:
    """An AttendanceStatus from user input, or an AttendanceError (400)."""
    try:
        return AttendanceStatus(str(value or "").strip().lower())
    except ValueError:
        raise AttendanceError(_("Unknown attendance mark. Choose present, late, excused or absent.")) from None


def parse_id(value) -> int:
    """A positive integer id from user input, or an AttendanceError (400)."""
    number = inputs.parse_id(value)
    if number is None:
        raise AttendanceError(_("The participant is missing or not valid."))
    return number


def normalise_code(raw: str | None) -> str:
    """A personal code as stored: upper case, without spaces, dashes or dots.

    A scanner may also type the whole address a QR code holds; the code is then its last part.
    """
    text = (raw or "").strip()
    if "/" in text or "=" in text:
        text = re.split(r"[/=]", text.rstrip("/"))[-1]
    return _CODE_NOISE.sub("", text).upper()[:40]


# ---------------------------------------------------------------- loading with checks

def _begin_write() -> None:
    """Start the write transaction of one action (BEGIN IMMEDIATE on SQLite)."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.commit()
        db.session.connection(execution_options={"sqlite_immediate": True})


def session_day(session_id: int, day_id: int) -> SessionDay:
    """A day of the session, or an AttendanceError (404) for any other day."""
    day = db.session.scalar(select(SessionDay).where(SessionDay.id == day_id, SessionDay.session_id == session_id))
    if day is None:
        raise AttendanceError(_("This day is not part of this session."), 404)
    return day


def _check_started(day: SessionDay, today: date | None) -> None:
    if not day_has_started(day, today):
        raise AttendanceError(
            _("This day has not started yet: attendance can be marked from %(date)s.",
              date=format_date(day.date, "long")),
            409,
        )


def _approved_registration(session_id: int, registration_id: int) -> Registration:
    registration = db.session.scalar(
        select(Registration).where(Registration.id == registration_id, Registration.session_id == session_id)
    )
    if registration is None:
        raise AttendanceError(_("This participant is not registered for this session."), 404)
    if registration.state != RegistrationState.APPROVED:
        raise AttendanceError(
            _("Only approved registrations have attendance marks (this one is %(state)s).",
              state=registration.state.label.lower()),
            409,
        )
    return registration


# ---------------------------------------------------------------- writing marks

def _locked_mark(registration_id: int, day_id: int) -> Attendance | None:
    return db.session.scalar(
        select(Attendance)
        .where(Attendance.registration_id == registration_id, Attendance.day_id == day_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _write_mark(registration_id: int, day_id: int, status: AttendanceStatus, actor: User | None,
                reason: str = "") -> MarkResult:
    """Insert or update one cell inside the current transaction, with its audit event."""
    mark = _locked_mark(registration_id, day_id)
    if mark is None:
        mark = Attendance(registration_id=registration_id, day_id=day_id, status=status,
                          marked_by_id=getattr(actor, "id", None), marked_at=utcnow())
        try:
            with db.session.begin_nested():
                db.session.add(mark)
        except IntegrityError:
            # Another organiser inserted this cell meanwhile: theirs exists now, update it.
            mark = _locked_mark(registration_id, day_id)
            if mark is None:
                raise
        else:
            _audit(mark, None, status, actor, reason)
            return MarkResult(mark, None, True)
    before = mark.status
    if before == status:
        return MarkResult(mark, before, False)
    mark.status = status
    mark.marked_by_id = getattr(actor, "id", None)
    mark.marked_at = utcnow()
    db.session.flush()
    _audit(mark, before, status, actor, reason)
    return MarkResult(mark, before, True)


def _audit(mark: Attendance, before: AttendanceStatus | None, after: AttendanceStatus, actor, reason="") -> None:
    _audit_cell(mark.id, mark.registration_id, mark.day_id, before, after, actor, reason)


def _audit_cell(attendance_id: int, registration_id: int, day_id: int, before: AttendanceStatus | None,
                after: AttendanceStatus, actor, reason="") -> None:
    """The audit event of one changed cell, with the status before and after."""
    cell = {"registration_id": registration_id, "day_id": day_id}
    audit.record("attendance.mark", actor=actor, object_type="attendance", object_id=attendance_id,
                 before={**cell, "status": before.value if before else None},
                 after={**cell, "status": after.value}, reason=reason)
    attendance_marked.send(None, attendance_id=attendance_id, registration_id=registration_id, day_id=day_id,
                           status=after, actor=actor)


def mark(session_id: int, day_id: int, registration_id: int, status, actor: User | None,
         today: date | None = None) -> MarkResult:
    """Set one participant's mark for one day of a session, in one small transaction.

    Refuses (AttendanceError, nothing written) an unknown status, a day of another session
    or one that has not started, and a registration that is not an approved one of the session.
    """
    status = parse_status(status)
    _begin_write()
    try:
        day = session_day(session_id, day_id)
        _check_started(day, today)
        _approved_registration(session_id, registration_id)
        result = _write_mark(registration_id, day.id, status, actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def mark_all(session_id: int, day_id: int, actor: User | None, *, replace: bool = False,
             status=AttendanceStatus.PRESENT, today: date | None = None) -> dict[int, AttendanceStatus]:
    """Mark every approved participant of a day with `status` (present by default).

    Only those without a mark, unless `replace` is true (then every mark becomes `status`).
    Returns {registration id: new status} of the cells that changed, in one transaction.
    """
    status = parse_status(status)
    _begin_write()
    try:
        day = session_day(session_id, day_id)
        _check_started(day, today)
        changed = _mark_all_cells(session_id, day.id, status, replace, actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return changed


def _insert_missing(rows: list[dict]) -> dict[int, int]:
    """Insert marks, skipping cells someone else inserted meanwhile: {registration id: mark id}.

    INSERT … ON CONFLICT DO NOTHING (PostgreSQL and SQLite) waits for a concurrent insert of
    the same cell and then leaves that mark alone instead of failing.
    """
    if not rows:
        return {}
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = (insert(Attendance).values(rows)
                 .on_conflict_do_nothing(index_elements=["registration_id", "day_id"])
                 .returning(Attendance.registration_id, Attendance.id))
    return dict(db.session.execute(statement).all())


def _mark_all_cells(session_id: int, day_id: int, status: AttendanceStatus, replace: bool,
                    actor: User | None) -> dict[int, AttendanceStatus]:
    approved = db.session.scalars(
        select(Registration.id).where(Registration.session_id == session_id,
                                      Registration.state == RegistrationState.APPROVED)
    ).all()

    def locked(registration_ids):
        return {} if not registration_ids else {
            mark.registration_id: mark
            for mark in db.session.scalars(
                select(Attendance).where(Attendance.day_id == day_id, Attendance.registration_id.in_(registration_ids))
                .with_for_update().execution_options(populate_existing=True))
        }

    existing = locked(approved)
    now, actor_id = utcnow(), getattr(actor, "id", None)
    missing = [rid for rid in approved if rid not in existing]
    inserted = _insert_missing([
        {"registration_id": rid, "day_id": day_id, "status": status, "marked_by_id": actor_id, "marked_at": now}
        for rid in missing
    ])
    for registration_id, attendance_id in inserted.items():
        _audit_cell(attendance_id, registration_id, day_id, None, status, actor, reason="mark all")
    if replace:
        # Cells inserted by someone else since we looked are replaced too.
        existing |= locked([rid for rid in missing if rid not in inserted])
    changed = dict.fromkeys(inserted, status)
    for registration_id, mark in existing.items():
        if replace and mark.status != status:
            _audit_cell(mark.id, registration_id, day_id, mark.status, status, actor, reason="mark all")
            mark.status, mark.marked_by_id, mark.marked_at = status, actor_id, now
            changed[registration_id] = status
    db.session.flush()
    return changed


def day_marks(day_id: int) -> dict[int, AttendanceStatus]:
    """The current mark of each registration on a day (one query)."""
    return dict(db.session.execute(
        select(Attendance.registration_id, Attendance.status).where(Attendance.day_id == day_id)
    ).all())


def checked_in_count(day_id: int) -> int:
    """How many marks of a day say present or late (one counting query)."""
    return db.session.scalar(
        select(func.count()).select_from(Attendance)
        .where(Attendance.day_id == day_id, Attendance.status.in_(CHECKED_IN))
    ) or 0


# ---------------------------------------------------------------- check-in by personal code

def todays_days(session_id: int, today: date | None = None) -> list[SessionDay]:
    """The session's days (or half-days) that take place today, morning first."""
    return list(db.session.scalars(
        select(SessionDay).where(SessionDay.session_id == session_id, SessionDay.date == (today or local_today()))
        .order_by(PART_ORDER)
    ))


def checkin_day(days: list[SessionDay], day_id: int | None = None, now: datetime | None = None) -> SessionDay:
    """The day to check in on: the chosen one among today's, else the part under way."""
    if not days:
        raise AttendanceError(_("No day of this session takes place today."), 409)
    if day_id:
        for day in days:
            if day.id == day_id:
                return day
        raise AttendanceError(_("This day is not part of this session today."), 404)
    part = current_part(now)
    for day in days:
        if day.part in (part, DayPart.FULL):
            return day
    return days[0] if part == DayPart.MORNING else days[-1]


def _by_code(code: str):
    """Rows (Registration, Participant, Agency) whose personal code matches, any session."""
    stored = func.upper(func.replace(func.replace(Registration.personal_code, "-", ""), " ", ""))
    return (
        select(Registration, Participant, Agency)
        .join(Participant, Participant.id == Registration.participant_id)
        .join(Agency, Agency.id == Registration.agency_id)
        .where(Registration.personal_code.is_not(None), stored == code)
    )


def find_by_code(session_id: int, raw_code: str) -> tuple[Registration, Participant, Agency]:
    """The approved registration of the session with this personal code, with its person.

    A code that is empty, unknown, of another session or of a registration that is not
    approved gives an AttendanceError with a message saying which.
    """
    code = normalise_code(raw_code)
    if not code:
        raise AttendanceError(_("Enter the participant's personal code."), 400)
    row = db.session.execute(_by_code(code).where(Registration.session_id == session_id)
                             .order_by(Registration.id.desc()).limit(1)).first()
    if row is None:
        elsewhere = db.session.scalar(select(func.count()).select_from(_by_code(code).subquery()))
        if elsewhere:
            raise AttendanceError(_("The code %(code)s belongs to a registration for another session.",
                                    code=code), 404)
        raise AttendanceError(_("No participant of this session has the code %(code)s. Check it and try again.",
                                code=code), 404)
    registration = row[0]
    if registration.state != RegistrationState.APPROVED:
        raise AttendanceError(
            _("The registration with the code %(code)s is %(state)s: it cannot be checked in.",
              code=code, state=registration.state.label.lower()),
            409,
        )
    return row[0], row[1], row[2]


def check_in(session_id: int, raw_code: str, actor: User | None, day_id: int | None = None,
             now: datetime | None = None) -> CheckInResult:
    """Mark the participant with this personal code present for today's (chosen) session day.

    A participant already present or late keeps the mark (`already` is then true).
    """
    now = now or local_now()
    _begin_write()
    try:
        day = checkin_day(todays_days(session_id, now.date()), day_id, now)
        registration, participant, agency = find_by_code(session_id, raw_code)
        existing = _locked_mark(registration.id, day.id)
        if existing is not None and existing.status in CHECKED_IN:
            db.session.commit()
            return CheckInResult(registration, participant, agency, day, existing, True)
        result = _write_mark(registration.id, day.id, AttendanceStatus.PRESENT, actor, reason="check-in")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return CheckInResult(registration, participant, agency, day, result.attendance, False)
