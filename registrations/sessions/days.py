"""A session's days: generated from its dates, then edited by the organiser.

Attendance is marked per day, so a day with attendance marks is never removed.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from registrations import audit
from registrations.extensions import db
from registrations.models import Attendance, DayPart, SessionDay, SessionStatus, TrainingSession
from registrations.models.sessions import day_order
from registrations.sessions.base import SessionError, SessionInvalid


@dataclass
class DayChange:
    """What the organiser did to an existing session day in the days editor."""

    id: int
    part: DayPart
    programme: str = ""
    remove: bool = False
    #: Turn a full day into a morning and an afternoon.
    split: bool = False


@dataclass
class DayAddition:
    date: date
    part: DayPart = DayPart.FULL
    programme: str = ""


def generate_days(start: date, end: date) -> list[SessionDay]:
    """One full day per date from start to end (the organiser then edits them)."""
    return [SessionDay(date=start + timedelta(days=offset), part=DayPart.FULL)
            for offset in range((end - start).days + 1)]


def move_days(session: TrainingSession, old_start: date, old_end: date) -> None:
    """After a change of dates: drop days outside them and add a full day for each new date."""
    outside = select(SessionDay.id).where(
        SessionDay.session_id == session.id,
        (SessionDay.date < session.start_date) | (SessionDay.date > session.end_date))
    marked = db.session.scalar(select(func.count()).select_from(Attendance).where(Attendance.day_id.in_(outside)))
    if marked:
        raise SessionInvalid({"start_date": [_l("Attendance was marked on days outside the new dates: "
                                                "they cannot be removed.")]})
    db.session.execute(delete(SessionDay).where(SessionDay.id.in_(outside)))
    for day in generate_days(session.start_date, session.end_date):
        if not old_start <= day.date <= old_end:
            day.session_id = session.id
            db.session.add(day)


def load_days(session_id: int) -> list[SessionDay]:
    """The days of a session in order (morning before afternoon)."""
    return list(db.session.scalars(select(SessionDay).where(SessionDay.session_id == session_id)
                                   .order_by(*day_order())))


def save_days(session_id: int, changes: list[DayChange], additions: list[DayAddition] = (), *,
              actor=None) -> list[SessionDay]:
    """Apply the days editor: change parts and programmes, split, remove and add days.

    Every day stays within the session's dates, a date holds either one full day or half-days,
    at least one day remains, and a day with attendance marks is never removed.
    """
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        raise SessionError(_l("This session does not exist."), 404)
    if session.status in (SessionStatus.COMPLETED, SessionStatus.CANCELLED):
        raise SessionError(_l("A completed or cancelled session can no longer be edited."), 409)
    days = {day.id: day for day in load_days(session_id)}
    if any(change.id not in days for change in changes):
        raise SessionError(_l("This day does not belong to the session."), 400)
    by_id = {change.id: change for change in changes}
    slots: list[tuple[date, DayPart]] = []
    removed = []
    for day in days.values():
        change = by_id.get(day.id)
        if change and change.remove:
            removed.append(day.id)
            continue
        part = change.part if change else day.part
        if change and change.split and part == DayPart.FULL:
            slots += [(day.date, DayPart.MORNING), (day.date, DayPart.AFTERNOON)]
        else:
            slots.append((day.date, part))
    slots += [(addition.date, addition.part) for addition in additions]
    _check_slots(session, slots)
    if removed and db.session.scalar(select(func.count()).select_from(Attendance)
                                     .where(Attendance.day_id.in_(removed))):
        raise SessionError(_l("Attendance was marked on a day you removed: it cannot be removed."), 409)

    before = [_day_label(day) for day in days.values()]
    try:
        db.session.execute(delete(SessionDay).where(SessionDay.id.in_(removed)))
        for day_id, day in days.items():
            change = by_id.get(day_id)
            if change is None or change.remove:
                continue
            day.programme = change.programme.strip()
            if change.split and change.part == DayPart.FULL:
                day.part = DayPart.MORNING
                db.session.add(SessionDay(session_id=session_id, date=day.date, part=DayPart.AFTERNOON))
            else:
                day.part = change.part
        for addition in additions:
            db.session.add(SessionDay(session_id=session_id, date=addition.date, part=addition.part,
                                      programme=addition.programme.strip()))
        db.session.flush()
        result = load_days(session_id)
        audit.record("session.days", session, actor=actor, before={"days": before},
                     after={"days": [_day_label(day) for day in result]})
        db.session.flush()
    except IntegrityError as error:  # the caller's unit of work rolls back
        raise SessionError(_l("Two days have the same date and part."), 409) from error
    return result


def _day_label(day: SessionDay) -> str:
    return f"{day.date.isoformat()} {day.part.value}"


def _check_slots(session: TrainingSession, slots: list[tuple[date, DayPart]]) -> None:
    if not slots:
        raise SessionError(_l("A session needs at least one day."))
    if any(not session.start_date <= day <= session.end_date for day, _ in slots):
        raise SessionError(_l("Every day must fall between the session's start and end dates."))
    if len(set(slots)) != len(slots):
        raise SessionError(_l("Two days have the same date and part."))
    full = {day for day, part in slots if part == DayPart.FULL}
    if any(day in full for day, part in slots if part != DayPart.FULL):
        raise SessionError(_l("A date holds either a full day or half-days, not both."))
