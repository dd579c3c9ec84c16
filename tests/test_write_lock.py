"""SQLite's write lock: a writer that finds it held tries again in short steps
(`locking.begin_immediate`), not after SQLite's own pauses of up to 100 ms."""

import sqlite3
import threading
import time

import pytest
from sqlalchemy.exc import OperationalError

from registrations import locking


@pytest.fixture
def sqlite_path(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock (PostgreSQL locks rows)")
    return db.engine.url.database


class Holder:
    """Another process's writer: holds SQLite's write lock until released."""

    def __init__(self, path: str):
        self.path = path
        self.held, self.release = threading.Event(), threading.Event()
        self.released_at = None
        self.thread = threading.Thread(target=self._hold)

    def _hold(self):
        connection = sqlite3.connect(self.path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        self.held.set()
        self.release.wait(10)
        self.released_at = time.monotonic()
        connection.execute("ROLLBACK")
        connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.held.wait(5)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(10)


def _others_can_write(path: str) -> bool:
    connection = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        assert error.sqlite_errorcode == sqlite3.SQLITE_BUSY
        return False
    finally:
        connection.close()


def test_a_waiting_writer_tries_again_in_short_steps_and_then_holds_the_lock(db, sqlite_path, monkeypatch):
    pauses = []
    sleep = time.sleep
    monkeypatch.setattr(locking.time, "sleep", lambda seconds: (pauses.append(seconds), sleep(seconds)))
    with Holder(sqlite_path) as holder:
        threading.Timer(0.08, holder.release.set).start()
        locking.begin_write()  # what lock_row does on SQLite: BEGIN IMMEDIATE
        got_it_at = time.monotonic()
    # It waited for the other writer, in many short pauses, and had the lock soon after it was
    # free (SQLite's own wait sleeps 1, 2, 5, 10, 15, 20, 25… ms between tries).
    assert holder.released_at is not None and got_it_at >= holder.released_at
    assert len(pauses) >= 20
    assert max(pauses) <= locking._LONGEST_PAUSE
    # The lock is this session's now, and the connection waits as usual again for other statements.
    assert not _others_can_write(sqlite_path)
    assert db.session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() == locking.BUSY_TIMEOUT_MS
    db.session.rollback()
    assert _others_can_write(sqlite_path)


def test_a_lock_held_too_long_fails_as_sqlite_does(db, sqlite_path, monkeypatch):
    monkeypatch.setattr(locking, "SHORT_STEPS_FOR", 0.05)
    monkeypatch.setattr(locking, "BUSY_TIMEOUT_MS", 50)
    with Holder(sqlite_path), pytest.raises(OperationalError, match="database is locked"):
        locking.begin_write()
    db.session.rollback()
    # Once free, the lock is taken again at once.
    locking.begin_write()
    assert not _others_can_write(sqlite_path)
    db.session.rollback()


def test_an_error_other_than_busy_is_not_retried(db, sqlite_path, monkeypatch):
    pauses = []
    monkeypatch.setattr(locking.time, "sleep", pauses.append)
    db.session.rollback()
    connection = db.session.connection()
    connection.exec_driver_sql("COMMIT")  # SQLAlchemy's BEGIN, ended behind its back
    connection.exec_driver_sql("BEGIN")
    with pytest.raises(OperationalError, match="within a transaction"):
        locking.begin_immediate(connection)
    assert pauses == []
    db.session.rollback()
