"""Full-text index of the catalogue search: FTS5 trigram table on SQLite, pg_trgm on PostgreSQL

Revision ID: 0017_search
Revises: 0009_logins
Create Date: 2026-12-05 02:00:00.000000

The search keeps its meaning (the folded-text match of registrations/sessions/queries.py); the
index only finds the candidate rows (registrations/sessions/fulltext.py). A SQLite without FTS5
or without its trigram tokenizer (before 3.34) gets no table and searches without it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017_search"
down_revision = "0013_programme"
branch_labels = None
depends_on = None

FTS_TABLE = "training_session_search"
TRIGRAM_INDEX = "ix_training_session_search_trgm"
TRIGGERS = {
    "training_session_search_ai": f"""
        CREATE TRIGGER training_session_search_ai AFTER INSERT ON training_session BEGIN
          INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
    "training_session_search_ad": f"""
        CREATE TRIGGER training_session_search_ad AFTER DELETE ON training_session BEGIN
          INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
        END""",
    "training_session_search_au": f"""
        CREATE TRIGGER training_session_search_au AFTER UPDATE OF search_text ON training_session BEGIN
          INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
          INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
}


def _sqlite_has_trigram_fts(bind) -> bool:
    try:
        bind.exec_driver_sql("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x, tokenize='trigram')")
    except sa.exc.OperationalError:
        return False
    bind.exec_driver_sql("DROP TABLE temp.fts5_probe")
    return True


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        if not _sqlite_has_trigram_fts(bind):
            return
        op.execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, content='training_session', "
                   "content_rowid='id', tokenize='trigram')")
        for sql in TRIGGERS.values():
            op.execute(sql)
        op.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    elif bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX {TRIGRAM_INDEX} ON training_session USING gin (search_text gin_trgm_ops)")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif bind.dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
