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
- ends a transaction that has only read (nothing is lost) and begins an immediate one. What
  that transaction read stays loaded, as it would on PostgreSQL, where a row lock refreshes
  nothing but the locked row: rules that must see current rows read them after the lock (the
  locked row itself is always read again);
- refuses (`PendingWork`) when the session holds changes not yet flushed in a transaction that
  has not written: it never commits (nor drops) the caller's work behind its back.
"""

import functools
import sqlite3
import time

from sqlalchemy import bindparam, event, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from registrations.extensions import db
from registrations.transaction import has_pending_work

_WROTE = "transaction_wrote"
_READ_ONLY = ("SELECT", "PRAGMA", "BEGIN", "WITH")
#: SQLite's wait for a busy database (`PRAGMA busy_timeout`), in milliseconds.
BUSY_TIMEOUT_MS = 10_000
#: How long `begin_immediate` tries in short steps before waiting as SQLite does, in seconds.
SHORT_STEPS_FOR = 5.0
#: Its pauses between tries: from the first to the longest, doubling.
_FIRST_PAUSE, _LONGEST_PAUSE = 0.0001, 0.0005


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


def begin_immediate(connection: Connection) -> None:
    """`BEGIN IMMEDIATE` on a SQLite connection, waiting for the write lock in short steps.

    SQLite's own wait for a busy database sleeps 1, 2, 5, 10, 15, 20, then 25 to 100 ms between
    tries: of two workers taking turns at the lock, the one that waits oversleeps while the
    other takes it again, and a second worker added almost nothing to registration posts (122
    per second with one worker, 130 with two, on the benchmark's scale data; 178 to 196 with
    two and this wait). Here the waiter tries again after at most half a millisecond; after
    `SHORT_STEPS_FOR` seconds it waits as SQLite does (its busy timeout), and fails as before if
    the lock is still held."""
    # The wait is a setting of the driver's connection, as when it was opened (not a query).
    driver = connection.connection.dbapi_connection
    driver.execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + SHORT_STEPS_FOR
        pause = _FIRST_PAUSE
        while time.monotonic() < deadline:
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as error:
                if getattr(error.orig, "sqlite_errorcode", None) != sqlite3.SQLITE_BUSY:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)
    finally:
        driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _take_sqlite_write_lock() -> None:
    session = db.session()
    if session.in_transaction() and session.connection().info.get(_WROTE):
        return
    if session.new or session.dirty or session.deleted:
        raise PendingWork("lock_row must begin the write transaction: flush or commit the pending changes first")
    if session.in_transaction():
        _end_read_transaction(session)
    session.connection(execution_options={"sqlite_immediate": True})


def _end_read_transaction(session) -> None:
    """End a transaction that has only read, keeping what it loaded (a rollback would expire
    every object, and reading them again would be done under the write lock). One that has
    work waiting for its commit (`transaction.after_commit`) is rolled back, as before: that
    work belongs to a transaction that has not written yet."""
    if has_pending_work(session):
        session.rollback()
        return
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


def begin_write() -> None:
    """Begin the unit of work's write transaction now (SQLite: `BEGIN IMMEDIATE`, as `lock_row`
    does); on PostgreSQL nothing is needed, rows are locked one by one."""
    if db.session.get_bind().dialect.name == "sqlite":
        _take_sqlite_write_lock()


def lock_row(model, ident):
    """Return the row of `model` with id `ident`, locked until the unit of work ends."""
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    if sqlite:
        _take_sqlite_write_lock()
    return db.session.scalar(_locking_select(model, sqlite), {"ident": ident})


@functools.cache
def _locking_select(model, sqlite: bool):
    """The statement reading (and on PostgreSQL locking) one row of `model`, built once per model."""
    statement = select(model).where(model.id == bindparam("ident")).execution_options(populate_existing=True)
    return statement if sqlite else statement.with_for_update()
