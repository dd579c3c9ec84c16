"""PageDates gives the same text as Flask-Babel's date filters, in every language."""

from datetime import date, datetime, timedelta, timezone

import pytest
from flask_babel import force_locale, format_date, format_datetime

from registrations.formats import PageDates
from registrations.i18n import LANGUAGES

VALUES = [
    date(2026, 1, 31),
    datetime(2026, 7, 14, 23, 30),  # naive: UTC, already the next day in Hanoi
    datetime(2025, 12, 31, 17, 5, tzinfo=timezone.utc),
    datetime(2026, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=-5))),
]


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_page_dates_match_the_babel_filters(app, locale):
    with app.test_request_context("/"), force_locale(locale):
        dates = PageDates()
        for value in VALUES:
            for form in ("short", "medium", "long"):
                assert dates.date(value, form) == format_date(value, form), (value, form)
                if isinstance(value, datetime):
                    assert dates.datetime(value, form) == format_datetime(value, form), (value, form)
        assert dates.date(None) == dates.datetime(None) == ""


def test_a_naive_time_is_shown_in_the_office_zone(app):
    with app.test_request_context("/"), force_locale("en"):
        dates = PageDates()
        assert dates.date(datetime(2026, 7, 14, 23, 30)) == "Jul 15, 2026"
        assert "6:30" in dates.datetime(datetime(2026, 7, 14, 23, 30))
