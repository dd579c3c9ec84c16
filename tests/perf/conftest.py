"""Fixtures of the performance tests: the database filled by the scale generator."""

import pytest
import sqlalchemy as sa

from benchmarks.scale.generate import Sizes, seed_scale


def empty_tables(db) -> None:
    """Remove every row (the generator refuses a database that already has sessions)."""
    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            db.session.execute(sa.text(f'DELETE FROM "{name}"'))
    db.session.commit()


@pytest.fixture
def seed_at(db):
    """Empty the database and fill it with `sizes` of generated data: seed_at(sizes, seed=…)."""

    def seed(sizes: Sizes, seed: int = 7) -> dict:
        empty_tables(db)
        report = seed_scale(sizes, seed=seed)
        db.session.remove()
        return report

    return seed
