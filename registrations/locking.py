"""Row locks for rules that must hold under concurrency (capacity, quotas, serials).

On PostgreSQL `lock_row` is `SELECT … FOR UPDATE`: concurrent writers of the same row wait
for each other. SQLite has no row locks; there `lock_row` takes the database's single write
lock (`BEGIN IMMEDIATE`), so the rows read are current and nobody else writes until commit.
Either way, what the caller reads after `lock_row` cannot change under it until the unit of
work commits (see `registrations.transaction`).

SQLite, the choice made: the write lock is taken when the unit of work's transaction begins.
`lock_row` therefore
- proceeds at once when the transaction has already written (it holds the write lock and its
  reads are current);
- ends a transaction that has only read (nothing is lost) and begins an immediate one;
- refuses (`PendingWork`) when the session holds changes not yet flushed in a transaction that
  has not written: it never commits (nor drops) the caller's work behind its back.
"""

from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from registrations.extensions import db

_WROTE = "transaction_wrote"
_READ_ONLY = ("SELECT", "PRAGMA", "BEGIN", "WITH")


class PendingWork(RuntimeError):
    """`lock_row` was called on SQLite with unflushed changes and no write lock yet."""


def track_sqlite_writes(engine: Engine) -> None:
    """Record on each SQLite connection whether its current transaction has written."""
    if engine.dialect.name != "sqlite" or event.contains(engine, "before_cursor_execute", _note_write):
        return
    event.listen(engine, "before_cursor_execute", _note_write)
    event.listen(engine, "commit", _forget_writes)
    event.listen(engine, "rollback", _forget_writes)


def _note_write(conn, cursor, statement, parameters, context, executemany):
    if not statement.lstrip()[:8].upper().startswith(_READ_ONLY):
        conn.info[_WROTE] = True


def _forget_writes(conn):
    if not conn.invalidated:  # an invalidated connection's info is gone with it
        conn.info.pop(_WROTE, None)


def _take_sqlite_write_lock() -> None:
    session = db.session()
    if session.in_transaction() and session.connection().info.get(_WROTE):
        return
    if session.new or session.dirty or session.deleted:
        raise PendingWork("lock_row must begin the write transaction: flush or commit the pending changes first")
    if session.in_transaction():
        session.rollback()  # it has only read: nothing to lose
    session.connection(execution_options={"sqlite_immediate": True})


def begin_write() -> None:
    """Begin the unit of work's write transaction now (SQLite: `BEGIN IMMEDIATE`, as `lock_row`
    does); on PostgreSQL nothing is needed, rows are locked one by one."""
    if db.session.get_bind().dialect.name == "sqlite":
        _take_sqlite_write_lock()


def lock_row(model, ident):
    """Return the row of `model` with id `ident`, locked until the unit of work ends."""
    if db.session.get_bind().dialect.name == "sqlite":
        _take_sqlite_write_lock()
        return db.session.scalar(
            select(model).where(model.id == ident).execution_options(populate_existing=True)
        )
    return db.session.scalar(
        select(model).where(model.id == ident).with_for_update().execution_options(populate_existing=True)
    )
