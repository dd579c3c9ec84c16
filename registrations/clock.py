"""The office's clock: session days are local dates in the office's time zone (APP_TIMEZONE)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def office_timezone() -> ZoneInfo:
    """The time zone of the office, of session days and of displayed dates and times."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_now() -> datetime:
    """The current time in the office's time zone."""
    return datetime.now(office_timezone())


def local_today() -> date:
    """Today in the office's time zone."""
    return local_now().date()
