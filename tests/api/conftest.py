"""Fixtures of the API tests: tokens made through the service, headers carrying them."""

from datetime import timedelta

import pytest

from registrations.api import tokens
from registrations.clock import local_today


@pytest.fixture
def make_token(db):
    """make_token(user, scopes=("read", "write")) -> the bearer headers of a new token."""

    def make(user, scopes=("read", "write"), days: int = 30) -> dict:
        _token, raw = tokens.create(user, "test", list(scopes), local_today() + timedelta(days=days),
                                    today=local_today())
        db.session.commit()
        return {"Authorization": f"Bearer {raw}"}

    return make
