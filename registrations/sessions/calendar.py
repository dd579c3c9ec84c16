"""iCalendar files: one per session and a feed of every upcoming session.

A session's own file holds the whole-day event spanning the session (what the feed has too),
and one timed event per timetable item, in the office's time zone: what a calendar user
expects of a conference programme (each talk at its hour, with its room, trainers and
interpretation). A day without items keeps its free-text programme in the whole-day event.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from registrations.clock import office_timezone
from registrations.models import SessionStatus, TimetableItem, TrainingSession
from registrations.sessions.choices import country_name
from registrations.sessions.lifecycle import public_url

if TYPE_CHECKING:
    from icalendar import Calendar, Event

PRODUCT_ID = "-//Cooperation training//Sessions//FR"


def new_calendar(name: str) -> Calendar:
    from icalendar import Calendar  # loaded for a file, not for a page

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def session_event(session: TrainingSession) -> Event:
    """A whole-day event spanning the session (DTEND is the day after the last day)."""
    from icalendar import Event  # loaded for a file, not for a page

    host = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"
    url = public_url("sessions.detail", session_id=session.id)
    event = Event()
    event.add("uid", f"training-session-{session.id}@{host}")
    event.add("dtstamp", session.updated_at or session.created_at)
    event.add("last-modified", session.updated_at or session.created_at)
    event.add("dtstart", session.start_date)
    event.add("dtend", session.end_date + timedelta(days=1))
    event.add("summary", session.title)
    location = ", ".join(part for part in (session.venue, session.city, country_name(session.country)) if part)
    event.add("location", location)
    description = session.description
    event.add("description", f"{description}\n\n{url}" if description else url)
    event.add("url", url)
    event.add("categories", [session.kind.label, session.theme.label])
    event.add("status", "CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event


def item_event(session: TrainingSession, item: TimetableItem, day, host: str, url: str) -> Event:
    """One timetable item as a timed event (office time zone), linked to its session."""
    from icalendar import Event  # loaded for a file, not for a page

    from registrations.sessions.choices import language_name
    from registrations.templating import language_list

    zone = office_timezone()
    event = Event()
    event.add("uid", f"timetable-item-{item.id}@{host}")
    event.add("dtstamp", session.updated_at or session.created_at)
    event.add("dtstart", datetime.combine(day.date, item.starts_at, tzinfo=zone))
    event.add("dtend", datetime.combine(day.date, item.ends_at, tzinfo=zone))
    event.add("summary", f"{item.title} · {session.title}")
    place = ", ".join(part for part in (item.room, session.venue, session.city) if part)
    if place:
        event.add("location", place)
    lines = [item.description] if item.description else []
    if item.trainers:
        lines.append(", ".join(f"{trainer.name_latin} ({trainer.role.label})" for trainer in item.trainers))
    lines.append(_("Language: %(language)s", language=language_name(item.language)))
    if item.interpretation:
        lines.append(_("Interpretation into %(languages)s", languages=language_list(item.interpretation)))
    lines.append(url)
    event.add("description", "\n".join(lines))
    event.add("url", url)
    event.add("related-to", f"training-session-{session.id}@{host}")
    event.add("status", "CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED")
    return event


def session_calendar(session: TrainingSession) -> bytes:
    """The session's whole-day event and one event per timetable item."""
    from registrations.programme.services import timetable

    calendar = new_calendar(session.title)
    calendar.add_component(session_event(session))
    host = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"
    url = public_url("sessions.detail", session_id=session.id)
    for entry in timetable(session.id):
        for item in entry.items:
            calendar.add_component(item_event(session, item, entry.day, host, url))
    if hasattr(calendar, "add_missing_timezones"):
        calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_calendar(sessions: list[TrainingSession]) -> bytes:
    calendar = new_calendar(_("Cooperation training sessions"))
    for session in sessions:
        calendar.add_component(session_event(session))
    return calendar.to_ical()
