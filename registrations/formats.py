"""Dates of a list page in the reader's language and time zone, looked up once per page.

Flask-Babel's `dateformat`/`datetimeformat` filters find the locale, the time zone and the
pattern again for every value; on a list with two dates per row that was a tenth of the page.
`PageDates` finds them once and gives the same text as the filters.
"""

from datetime import date, datetime, timezone

from babel import dates as babel_dates
from flask_babel import format_date, format_decimal, format_time, get_locale, get_timezone


class PageDates:
    """Formats dates for one request (build it in the view, call it in the template)."""

    def __init__(self) -> None:
        self.locale = get_locale()
        self.zone = get_timezone()
        self._patterns: dict = {}

    def _local(self, value: datetime) -> datetime:
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        local = value.astimezone(self.zone)
        return self.zone.normalize(local) if hasattr(self.zone, "normalize") else local

    def date(self, value: date | datetime | None, format: str = "medium") -> str:
        """As `value|dateformat(format)`: a datetime is shown as its day in the reader's zone."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = self._local(value).date()
        pattern = self._patterns.get(format)
        if pattern is None:
            pattern = self._patterns[format] = babel_dates.parse_pattern(
                babel_dates.get_date_format(format, locale=self.locale))
        return pattern.apply(value, self.locale)

    def moment(self, value: datetime | None) -> str:
        """As `value|moment`: the medium date and the time to the minute, in the reader's zone."""
        return "" if value is None else f"{format_date(value, 'medium')}, {format_time(value, 'short')}"

    def datetime(self, value: datetime | None, format: str = "short") -> str:
        """As `value|datetimeformat(format)`: the date and time in the reader's zone, joined as the
        language joins them (Babel's `format_datetime` with the patterns found once)."""
        if value is None:
            return ""
        patterns = self._patterns.get(f"datetime.{format}")
        if patterns is None:
            patterns = self._patterns[f"datetime.{format}"] = (
                str(babel_dates.get_datetime_format(format, locale=self.locale)).replace("'", ""),
                babel_dates.parse_pattern(babel_dates.get_time_format(format, locale=self.locale)),
                babel_dates.parse_pattern(babel_dates.get_date_format(format, locale=self.locale)))
        joined, time_pattern, date_pattern = patterns
        local = self._local(value)
        return (joined.replace("{0}", time_pattern.apply(local.timetz(), self.locale, reference_date=local.date()))
                .replace("{1}", date_pattern.apply(local, self.locale)))


def decimal(value: float | None, digits: int = 1) -> str:
    """A number with `digits` decimals in the reader's language ("3,8" in French, "3.8" in English)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0")
