"""The office's clock: the one place where "now", "today" and the dates of instants come from.

Session days, deadlines shown as dates, issue dates, serial years, day counts and letters are
dates in the office's time zone (APP_TIMEZONE, Asia/Ho_Chi_Minh by default), whatever the
server's own zone. The application never calls `date.today()`, `datetime.now()` without a
zone or `datetime.utcnow()` (a test greps for them); instants are stored in UTC.
"""

import os
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

#: The office's zone when no application is around (e.g. a model used in a script).
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


def office_timezone() -> ZoneInfo:
    """The time zone of the office, of session days and of displayed dates and times."""
    if has_app_context():
        return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return ZoneInfo(os.environ.get("APP_TIMEZONE", DEFAULT_TIMEZONE))


def utc_now() -> datetime:
    """The current instant, aware, in UTC (what is stored)."""
    return datetime.now(timezone.utc)


def local_now() -> datetime:
    """The current time in the office's time zone."""
    return datetime.now(office_timezone())


def local_today() -> date:
    """Today in the office's time zone."""
    return local_now().date()


def local_date(moment: datetime) -> date:
    """The office's date of an instant (a naive value is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(office_timezone()).date()


def local_midnight(day: date) -> datetime:
    """The instant (aware, UTC) when `day` begins at the office."""
    return datetime.combine(day, time.min, tzinfo=office_timezone()).astimezone(timezone.utc)
