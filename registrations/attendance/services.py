"""Attendance rules: who may be marked, on which day, and how marks are written.

Every mark is its own row (unique registration + day). Writing one is an upsert that
tolerates a race between two organisers: the row is read and locked if it exists, else
inserted inside a savepoint; when the insert hits the unique constraint (someone else
inserted the same cell meanwhile), the row is read again and updated. The last write of a
cell wins and nothing is lost. On SQLite the write transaction starts with BEGIN IMMEDIATE,
which serialises writers; on PostgreSQL the row lock and the savepoint do the work. The
functions flush; the caller commits the unit of work (`registrations.transaction.run`).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from registrations import audit, inputs
from registrations.attendance import signing
from registrations.attendance.queries import PART_ORDER
from registrations.clock import local_now, local_today
from registrations.extensions import db
from registrations.locking import begin_write, lock_row
from registrations.models import (
    Agency,
    Attendance,
    AttendanceStatus,
    DayPart,
    OfflineMark,
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
    """Start the write transaction of one action (BEGIN IMMEDIATE on SQLite; see locking)."""
    begin_write()


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
                reason: str = "", at: datetime | None = None) -> MarkResult:
    """Insert or update one cell inside the current transaction, with its audit event.

    `at` is the mark's time when it is not now (a mark made on a device and sent later).
    """
    mark = _locked_mark(registration_id, day_id)
    if mark is None:
        mark = Attendance(registration_id=registration_id, day_id=day_id, status=status,
                          marked_by_id=getattr(actor, "id", None), marked_at=at or utcnow())
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
    mark.marked_at = at or utcnow()
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
    day = session_day(session_id, day_id)
    _check_started(day, today)
    _approved_registration(session_id, registration_id)
    return _write_mark(registration_id, day.id, status, actor)


def mark_all(session_id: int, day_id: int, actor: User | None, *, replace: bool = False,
             status=AttendanceStatus.PRESENT, today: date | None = None) -> dict[int, AttendanceStatus]:
    """Mark every approved participant of a day with `status` (present by default).

    Only those without a mark, unless `replace` is true (then every mark becomes `status`).
    Returns {registration id: new status} of the cells that changed, in one transaction.
    """
    status = parse_status(status)
    _begin_write()
    day = session_day(session_id, day_id)
    _check_started(day, today)
    return _mark_all_cells(session_id, day.id, status, replace, actor)


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
    signed = signing.read(raw_code)
    if signed is not None:
        if not signed.valid:
            raise AttendanceError(_("This code was not issued by the office: it cannot be checked in."), 400)
        if signed.session_id != session_id:
            raise AttendanceError(_("The code %(code)s belongs to a registration for another session.",
                                    code=signed.code), 404)
        raw_code = signed.code
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
    day = checkin_day(todays_days(session_id, now.date()), day_id, now)
    registration, participant, agency = find_by_code(session_id, raw_code)
    existing = _locked_mark(registration.id, day.id)
    if existing is not None and existing.status in CHECKED_IN:
        return CheckInResult(registration, participant, agency, day, existing, True)
    result = _write_mark(registration.id, day.id, AttendanceStatus.PRESENT, actor, reason="check-in")
    return CheckInResult(registration, participant, agency, day, result.attendance, False)


# ---------------------------------------------------------------- marks made on a device, sent later

#: Most marks one request may carry (a device sends its queue in batches of this size).
SYNC_BATCH = 200
#: How far ahead of the server's clock a device's mark time may be before it is taken as "now".
CLOCK_SKEW = timedelta(minutes=5)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class DeviceMark:
    """One mark as a device queued it: its own id, the cell, the status, when, and the status
    the device showed before (`base`: None when the cell was not marked)."""

    client_id: str
    registration_id: int
    status: AttendanceStatus
    marked_at: datetime
    base: AttendanceStatus | None


@dataclass(frozen=True)
class SyncResult:
    """What became of one device mark: applied or superseded, whether it met another device's
    mark (`conflict`), the cell's status now, and whether it had been received before."""

    client_id: str
    registration_id: int
    outcome: str
    conflict: bool
    status: AttendanceStatus | None
    duplicate: bool = False
    message: str = ""


def _device_time(value) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise AttendanceError(_("The request could not be understood. Check what you entered and try again."))
    return moment.astimezone(timezone.utc)


def parse_device_marks(data) -> list[DeviceMark]:
    """The marks of a device's request (`{"marks": [...]}`), or an AttendanceError (400).

    Each mark needs `id` (a UUID), `registration_id`, `status`, `marked_at` (ISO 8601 with a
    zone) and may give `base`, the status the device showed before the tap.
    """
    items = data.get("marks") if isinstance(data, dict) else None
    if not isinstance(items, list) or not 0 < len(items) <= SYNC_BATCH:
        raise AttendanceError(_("The request could not be understood. Check what you entered and try again."))
    marks = []
    for item in items:
        if not isinstance(item, dict) or not _UUID.match(str(item.get("id") or "").lower()):
            raise AttendanceError(_("The request could not be understood. Check what you entered and try again."))
        base = item.get("base")
        marks.append(DeviceMark(
            client_id=str(item["id"]).lower(), registration_id=parse_id(item.get("registration_id")),
            status=parse_status(item.get("status")), marked_at=_device_time(item.get("marked_at")),
            base=parse_status(base) if base else None,
        ))
    return marks


def sync_marks(session_id: int, day_id: int, marks: list[DeviceMark], actor: User | None,
               now: datetime | None = None) -> list[SyncResult]:
    """Apply a device's queued marks in their order, each once, inside the caller's transaction.

    A mark whose id was received before changes nothing and answers as it did then. A mark that
    meets a cell another device changed since this one saw it (its `base` differs from the
    cell) is a conflict: the later mark time wins and the mark is kept with the outcome, so the
    organiser can list the conflicts resolved. A mark of someone who is not an approved
    participant of the session is refused on its own (the others still count). The day's row is
    locked first, so two devices sending at once are served one after the other.
    """
    now = (now or utcnow()).astimezone(timezone.utc)
    day = lock_row(SessionDay, day_id)
    if day is None or day.session_id != session_id:
        raise AttendanceError(_("This day is not part of this session."), 404)
    _check_started(day, local_now().date())
    ids = [mark.client_id for mark in marks]
    seen = {row.client_id: row for row in db.session.scalars(select(OfflineMark).where(OfflineMark.client_id.in_(ids)))}
    wanted = {mark.registration_id for mark in marks}
    approved = set(db.session.scalars(select(Registration.id).where(
        Registration.id.in_(wanted), Registration.session_id == session_id,
        Registration.state == RegistrationState.APPROVED)))
    cells = {cell.registration_id: cell for cell in db.session.scalars(
        select(Attendance).where(Attendance.day_id == day.id, Attendance.registration_id.in_(approved))
        .with_for_update().execution_options(populate_existing=True))}
    results = []
    for mark in marks:
        if mark.client_id in seen:
            row = seen[mark.client_id]
            current = cells.get(row.registration_id)
            results.append(SyncResult(mark.client_id, row.registration_id, row.outcome, row.conflict,
                                      current.status if current else None, duplicate=True))
            continue
        if mark.registration_id not in approved:
            results.append(SyncResult(mark.client_id, mark.registration_id, "refused", False, None,
                                      message=_("This participant is not registered for this session.")))
            continue
        at = mark.marked_at if mark.marked_at <= now + CLOCK_SKEW else now
        row = _apply_device_mark(day.id, mark, cells, actor, at, now)
        seen[mark.client_id] = row
        results.append(SyncResult(mark.client_id, mark.registration_id, row.outcome, row.conflict,
                                  cells[mark.registration_id].status))
    db.session.flush()
    return results


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _apply_device_mark(day_id: int, mark: DeviceMark, cells: dict[int, Attendance], actor, at: datetime,
                       now: datetime) -> OfflineMark:
    """Decide one device mark against the cell's current mark and record what happened."""
    cell = cells.get(mark.registration_id)
    current = cell.status if cell else None
    conflict = cell is not None and current not in (mark.base, mark.status)
    outcome, other = "applied", (current.value if conflict and current else None)
    if conflict and _utc(cell.marked_at) > at:
        outcome = "superseded"
    elif current != mark.status:
        cells[mark.registration_id] = _write_mark(mark.registration_id, day_id, mark.status, actor,
                                                  reason="offline", at=at).attendance
    row = OfflineMark(client_id=mark.client_id, registration_id=mark.registration_id, day_id=day_id,
                      status=mark.status, marked_at=at, received_at=now, marked_by_id=getattr(actor, "id", None),
                      outcome=outcome, conflict=conflict, other_status=other)
    db.session.add(row)
    return row


@dataclass(frozen=True)
class ResolvedConflict:
    """A conflict between two devices' marks of one cell, as the organiser sees it."""

    registration_id: int
    name_latin: str
    name_native: str
    kept: AttendanceStatus
    lost: AttendanceStatus
    marked_at: datetime
    received_at: datetime


#: How many resolved conflicts the day's sheet lists (the latest first).
CONFLICTS_SHOWN = 50


def day_conflicts(day_id: int, limit: int = CONFLICTS_SHOWN) -> list[ResolvedConflict]:
    """The day's latest conflicts between devices, with who won (one query)."""
    rows = db.session.execute(
        select(OfflineMark, Participant.name_latin, Participant.name_native)
        .join(Registration, Registration.id == OfflineMark.registration_id)
        .join(Participant, Participant.id == Registration.participant_id)
        .where(OfflineMark.day_id == day_id, OfflineMark.conflict.is_(True))
        .order_by(OfflineMark.received_at.desc(), OfflineMark.id.desc()).limit(limit)
    ).all()
    conflicts = []
    for row, name_latin, name_native in rows:
        other = AttendanceStatus(row.other_status)
        kept, lost = (row.status, other) if row.outcome == "applied" else (other, row.status)
        conflicts.append(ResolvedConflict(row.registration_id, name_latin, name_native, kept, lost,
                                          row.marked_at, row.received_at))
    return conflicts


def day_mark_times(day_id: int) -> dict[int, datetime]:
    """When each registration's mark of a day was made (one query)."""
    return dict(db.session.execute(
        select(Attendance.registration_id, Attendance.marked_at).where(Attendance.day_id == day_id)
    ).all())
