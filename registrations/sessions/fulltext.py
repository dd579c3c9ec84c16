"""The full-text index of the catalogue search, on SQLite and on PostgreSQL.

The search's meaning stays the plain match on the folded search text (`queries.search_condition`:
every word, or the whole query without spaces, appears in `TrainingSession.search_text`); the
index only finds the rows that can match, faster than reading every session:

- SQLite: an FTS5 table with the trigram tokenizer (`training_session_search`, kept in step by
  triggers), asked for the query's pieces of three characters or more; the folded match then
  checks each row it returns, so the answers are exactly the plain match's. Pieces shorter than
  three characters cannot use a trigram index: such a query reads the sessions as before.
- PostgreSQL: a `pg_trgm` GIN index on `search_text`, which serves the same `LIKE` directly.

Both index every character (Khmer and Lao, which write words without spaces, included), since
trigrams are taken from the folded text, not from words. A SQLite built without FTS5 has no such
table (the migration skips it) and searches without it.
"""

import sqlalchemy as sa

from registrations.extensions import db
from registrations.text import fold, fold_compact

#: The FTS5 table of SQLite (and the shadow tables FTS5 keeps next to it).
FTS_TABLE = "training_session_search"
#: The trigram index of PostgreSQL.
TRIGRAM_INDEX = "ix_training_session_search_trgm"
#: Shortest piece a trigram index can look up.
SHORTEST = 3

_fts = sa.table(FTS_TABLE, sa.column("rowid"), sa.column("search_text"))
#: Whether each database (by URL) has the FTS5 table: asked once per process.
_HAS_FTS: dict[str, bool] = {}


def outside_models(name: str | None, kind: str) -> bool:
    """Whether a schema object is the search index, which the models do not describe (for
    Alembic's comparison of models and database)."""
    return bool(name) and (name == TRIGRAM_INDEX or (kind == "table" and name.startswith(FTS_TABLE)))


def _has_fts() -> bool:
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return False
    key = str(engine.url)
    if key not in _HAS_FTS:
        # Once per process, on the driver's connection: the same statements run at every request.
        driver = db.session.connection().connection.dbapi_connection
        row = driver.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (FTS_TABLE,))
        _HAS_FTS[key] = row.fetchone() is not None
    return _HAS_FTS[key]


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def match_expression(text: str) -> str | None:
    """The FTS5 query that finds every row the folded match can find: the query without spaces,
    or all its words of three characters or more. None when a branch has nothing the index can
    look up (then every row may match)."""
    words = [word for word in fold(text).split() if len(word) >= SHORTEST]
    if not words:
        return None
    return f"{_phrase(fold_compact(text))} OR ({' AND '.join(_phrase(word) for word in words)})"


def narrowing(text: str, column):
    """A condition on the sessions' id column that keeps the rows the index finds, or None where
    the index cannot narrow (PostgreSQL's index serves the match itself; short pieces)."""
    if not _has_fts():
        return None
    expression = match_expression(text)
    if expression is None:
        return None
    return column.in_(sa.select(_fts.c.rowid).where(_fts.c.search_text.match(expression)))
