"""Dates of a list page in the reader's language and time zone.

`PageDates` is built in the view and called in the template; it formats with Flask-Babel's
public `format_date`/`format_datetime` (the `dateformat`/`datetimeformat` filters). An earlier
version re-implemented Babel's pattern lookup and date-time joining to save a few per cent; a
measurement of the catalogue and partner pages found the public path within 10 % of it, so
no library internal is replaced here.
"""

from datetime import date, datetime

from flask_babel import format_date, format_datetime, format_decimal, format_time, get_locale, to_user_timezone

#: Days already written, per (day, format, language): a list shows the same few days again and
#: again, and Babel takes a few hundredths of a millisecond for each.
_DAYS: dict = {}


class PageDates:
    """Formats dates for one request (build it in the view, call it in the template)."""

    def __init__(self):
        self.locale = str(get_locale())

    def date(self, value: date | datetime | None, format: str = "medium") -> str:
        """As `value|dateformat(format)`: a datetime is shown as its day in the reader's zone."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = to_user_timezone(value).date()
        key = (value, format, self.locale)
        text = _DAYS.get(key)
        if text is None:
            if len(_DAYS) >= 4096:
                _DAYS.clear()
            text = _DAYS[key] = format_date(value, format)
        return text

    def moment(self, value: datetime | None) -> str:
        """As `value|moment`: the medium date and the time to the minute, in the reader's zone."""
        return "" if value is None else f"{format_date(value, 'medium')}, {format_time(value, 'short')}"

    def datetime(self, value: datetime | None, format: str = "short") -> str:
        """As `value|datetimeformat(format)`: the date and time in the reader's zone."""
        return "" if value is None else format_datetime(value, format)


def decimal(value: float | None, digits: int = 1) -> str:
    """A number with `digits` decimals in the reader's language ("3,8" in French, "3.8" in English)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0")
