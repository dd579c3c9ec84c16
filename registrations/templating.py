"""App-wide template helpers, registered by the application factory (`init_app`): date ranges
in the reader's language, country and language names, session status badges, `fact_date`
(the ISO dates of certificate snapshots), and `endpoint_exists`, so that pages link to other
blueprints only when they are installed."""

from datetime import date

from babel.dates import format_interval
from babel.dates import format_time as format_clock_time
from flask import current_app
from flask_babel import format_date, format_time, get_locale

from registrations.formatted import in_reader_language
from registrations.models import SessionStatus
from registrations.sessions.choices import country_name, language_name, languages_in_words

STATUS_BADGES = {
    SessionStatus.DRAFT: "text-bg-secondary",
    SessionStatus.PUBLISHED: "text-bg-success",
    SessionStatus.CLOSED: "text-bg-warning",
    SessionStatus.COMPLETED: "text-bg-dark",
    SessionStatus.CANCELLED: "text-bg-danger",
}


def endpoint_exists(endpoint: str) -> bool:
    """Whether a view with this endpoint name is installed (another team's page, perhaps)."""
    return endpoint in current_app.view_functions


def date_range(session) -> str:
    """"1–5 juil. 2026" in French, "1 – 5 thg 7, 2026" in Vietnamese…"""
    start, end = session.start_date, session.end_date
    return in_reader_language(("date range", start, end), lambda: _date_range(start, end))


def _date_range(start: date, end: date) -> str:
    if start == end:
        return format_date(start, "medium")
    return format_interval(start, end, "yMMMd", locale=str(get_locale() or "fr"))


def local_date(value) -> str:
    """A moment's date in the reader's language and the office's time zone ("8 déc. 2026"), as
    Flask-Babel's `dateformat` writes it with the "medium" format."""
    if value is None:
        return ""
    return in_reader_language(("date", value), lambda: format_date(value, "medium"), zoned=True)


def country_name_filter(code: str) -> str:
    return country_name(code)


def language_name_filter(code: str) -> str:
    return language_name(code)


def language_list(codes: str) -> str:
    """"vi,km" → "Vietnamese, Khmer" in the reader's language."""
    return ", ".join(language_name(code) for code in (codes or "").split(",") if code)


def languages_in_words_filter(text: str) -> str:
    """"km" → "Khmer"; free text is kept (interpretation needs are typed by partners)."""
    return languages_in_words(text)


def fact_date(value: str) -> date:
    """A date kept as ISO text in a certificate's snapshot, as a `date` for `dateformat`."""
    return date.fromisoformat(value)


def status_badge(status) -> str:
    """The Bootstrap badge class of a session status."""
    return STATUS_BADGES.get(status, "text-bg-secondary")


def moment(value) -> str:
    """A date and time to the minute, in the reader's language and the office's time zone."""
    if value is None:
        return ""
    return in_reader_language(("moment", value), lambda: f"{format_date(value, 'medium')}, "
                                                        f"{format_time(value, 'short')}", zoned=True)


def clock_time(value) -> str:
    """A time of day ("09:30", "9:30 AM") in the reader's language, as written (no time zone)."""
    if value is None:
        return ""
    return format_clock_time(value, "short", locale=str(get_locale() or "fr"))


def day_label(day) -> str:
    """A session day: "mardi 8 décembre 2026", with "Matin"/"Après-midi" for a half-day."""
    text = format_date(day.date, "full")
    return text if day.part.value == "full" else f"{text} · {day.part.label}"


def init_app(app) -> None:
    """Register the helpers on the application (every blueprint's templates use them)."""
    from registrations.formats import decimal
    from registrations.forms import error_list
    from registrations.sessions.fragments import card_key, kept_fields, kept_part

    app.add_template_global(endpoint_exists)
    app.add_template_global(error_list, "form_errors")
    app.add_template_global(kept_part)
    app.add_template_global(kept_fields)
    app.add_template_global(card_key)
    for name, function in (("date_range", date_range), ("country_name", country_name_filter),
                           ("language_name", language_name_filter), ("language_list", language_list),
                           ("languages_in_words", languages_in_words_filter), ("status_badge", status_badge),
                           ("moment", moment), ("local_date", local_date), ("decimal", decimal),
                           ("fact_date", fact_date), ("clock_time", clock_time), ("day_label", day_label)):
        app.add_template_filter(function, name)
