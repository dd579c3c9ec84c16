"""iCalendar files: one per session and a feed of every upcoming session."""

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event

from registrations.models import SessionStatus, TrainingSession
from registrations.sessions.choices import country_name
from registrations.sessions.lifecycle import public_url

PRODUCT_ID = "-//Cooperation training//Sessions//FR"


def new_calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def session_event(session: TrainingSession) -> Event:
    """A whole-day event spanning the session (DTEND is the day after the last day)."""
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


def session_calendar(session: TrainingSession) -> bytes:
    calendar = new_calendar(session.title)
    calendar.add_component(session_event(session))
    return calendar.to_ical()


def feed_calendar(sessions: list[TrainingSession]) -> bytes:
    calendar = new_calendar(_("Cooperation training sessions"))
    for session in sessions:
        calendar.add_component(session_event(session))
    return calendar.to_ical()
