"""What every part of the sessions package shares: its errors and the office's local time."""

from datetime import date, datetime, time, timezone

from registrations.clock import local_today, office_timezone  # noqa: F401 (local_today: shared by the sessions modules)


class SessionError(Exception):
    """A session rule was broken; `message` is translated, `status` the HTTP status to answer."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


class SessionInvalid(SessionError):
    """The session's data breaks one or more rules; `errors` maps form fields to messages."""

    def __init__(self, errors: dict):
        first = next(iter(errors.values()))
        super().__init__(first, 400)
        self.errors = errors


def local_to_utc(value: datetime | None) -> datetime | None:
    """A naive local date-time from a form, as an aware UTC date-time."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=office_timezone())
    return value.astimezone(timezone.utc)


def utc_to_local(value: datetime | None) -> datetime | None:
    """An aware date-time in the office's time zone, without tzinfo (for form fields)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(office_timezone()).replace(tzinfo=None)


def day_start_utc(day: date) -> datetime:
    """Midnight at the start of a local date, in UTC."""
    return local_to_utc(datetime.combine(day, time.min))
