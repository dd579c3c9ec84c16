"""Fixtures of the performance tests: the database filled by the scale generator."""

import pytest

from benchmarks.scale.generate import Sizes, seed_scale
from tests.conftest import _empty_tables as empty_tables


@pytest.fixture
def seed_at(db):
    """Empty the database and fill it with `sizes` of generated data: seed_at(sizes, seed=…)."""

    def seed(sizes: Sizes, seed: int = 7) -> dict:
        db.session.remove()
        empty_tables()
        report = seed_scale(sizes, seed=seed)
        db.session.remove()
        return report

    return seed
