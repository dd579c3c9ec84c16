"""The migrations create exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from registrations.sessions.fulltext import outside_models


def _described_by_models(name, kind, parent_names) -> bool:
    """Everything but the search index, which the models do not describe (sessions/fulltext.py)."""
    return not outside_models(name, kind)


def test_models_and_migrations_agree(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                   "include_name": _described_by_models})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "add a migration: flask --app app db migrate -m '…'"
