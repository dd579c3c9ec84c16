"""Fixtures of the sessions tests: valid session values to start from."""

from datetime import date, timedelta

import pytest

from registrations.models import SessionKind, Theme


@pytest.fixture
def values():
    """A builder of valid session values: values(capacity=5, …)."""

    def build(**overrides) -> dict:
        start = overrides.pop("start", date.today() + timedelta(days=40))
        fields = {
            "title_fr": "Lutte contre la fraude documentaire",
            "title_vi": "Phòng chống gian lận giấy tờ",
            "kind": SessionKind.COURSE,
            "theme": Theme.MIGRATION,
            "city": "Hà Nội",
            "country": "VN",
            "venue": "Học viện Cảnh sát nhân dân",
            "start_date": start,
            "end_date": start + timedelta(days=4),
            "working_language": "fr",
            "interpretation": "vi",
            "capacity": 20,
            "eligible_countries": "VN,KH,LA",
        }
        fields.update(overrides)
        return fields

    return build
