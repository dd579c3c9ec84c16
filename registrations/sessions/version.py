"""The version of what the public pages show: one counter that only goes up.

Every transaction that writes a session, its days, quotas or timetable, a registration or an agency
bumps the counter as its last statement, just before it commits: the new version becomes
visible in the same instant as the change, on every instance and whatever the clocks say.
A page kept under version N therefore never hides a change committed after N was read.

The bump is the last statement of the transaction, so a writer holds the counter's row lock
only for the moment of its commit, and always after the locks of the rows it changed (no
lock-order deadlock). Writes are noticed by SQLAlchemy session events (flushes and ORM
UPDATE/DELETE statements), so no service has to remember to call anything.

A second counter, the *office version* (row 2 of the same table), goes up with every transaction
that writes anything but the audit log's own records (which no kept page shows, and which an
audited read such as an export adds): the pages of signed-in readers (a partner's registrations,
a session's list, an attendance sheet) show rows of many tables, and are kept under it
(registrations/kept_pages.py). It is bumped by the same statement as the first.
"""

import atexit
import contextlib
import logging
import os
import threading

import sqlalchemy as sa
from flask import request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from registrations.models import (
    Agency,
    AuditEvent,
    Material,
    Registration,
    SessionDay,
    SessionQuota,
    TimetableItem,
    Trainer,
    TrainingSession,
)
from registrations.page_reads import is_page_read

#: What the public pages show: a write to one of these changes the version (a session's page
#: shows its timetable, with the names of trainers and the materials of each item).
SHOWN = (TrainingSession, SessionDay, SessionQuota, Registration, Agency, TimetableItem, Material, Trainer)
_SHOWN_TABLES = frozenset(model.__tablename__ for model in SHOWN)
#: Written without changing what any kept page shows (see above).
_UNSEEN = (AuditEvent,)
_UNSEEN_TABLES = frozenset(model.__tablename__ for model in _UNSEEN)
#: Set in a transaction's `session.info` once it has written something pages show.
CHANGED = _FLAG = "page_version_changed"
#: Set once it has written anything (what the office version counts).
WROTE = _OFFICE_FLAG = "office_version_changed"
#: One statement on both databases, and it also recreates the rows if the table was emptied.
_BUMP = sa.text("INSERT INTO page_version (id, value) VALUES (1, 1), (2, 1) "
                "ON CONFLICT (id) DO UPDATE SET value = page_version.value + 1")
_BUMP_OFFICE = sa.text("INSERT INTO page_version (id, value) VALUES (2, 1) "
                       "ON CONFLICT (id) DO UPDATE SET value = page_version.value + 1")
#: Read at almost every request: plain SQL, without the ORM's work (the table of PageVersion).
_READ = "SELECT value FROM page_version WHERE id = 1"
_READ_OFFICE = "SELECT value FROM page_version WHERE id = 2"
_READ_BOTH = "SELECT id, value FROM page_version WHERE id IN (1, 2)"


log = logging.getLogger(__name__)


def current(session: Session) -> int:
    """The committed version, as this transaction sees it (0 before the first change)."""
    return session.connection().exec_driver_sql(_READ).scalar() or 0


def office(session: Session) -> int:
    """The office version, as this transaction sees it (0 before the first write): read in the
    request's transaction, before what the page shows, so that the page is at least as new."""
    return session.connection().exec_driver_sql(_READ_OFFICE).scalar() or 0


#: Key in the request's WSGI environment of the versions read once for a GET request (see
#: `seen`; not `flask.g`, which outlives a request when an application context was pushed first).
_SEEN = "registrations.page_versions_seen"


def seen(session: Session) -> tuple[int, int] | None:
    """(public version, office version) of this read-only request, read once, on the version
    reader's autocommit connection, before the request's transaction has begun: whatever the
    request reads afterwards is at least as new, so a page kept under these versions never
    shows older data. None for a request that writes (not GET or HEAD), when the transaction
    had begun before the first call, or when the reader fails (the caller then reads in the
    transaction: `current`, `office`)."""
    if not is_page_read():
        return None
    environ = request.environ
    if _SEEN not in environ:
        environ[_SEEN] = None if session.in_transaction() else _reader.read_both(session.get_bind())
    return environ[_SEEN]


def committed(session: Session) -> int:
    """The committed version, for a request about to read what it shows.

    Before the session has begun its transaction (an anonymous visitor's page: nothing read
    yet), the version is read on a connection of this process kept for that alone, in
    autocommit: one statement, no transaction to begin and end, no connection taken from the
    pool. What the request reads afterwards is then at least as new as that version, so a page
    kept under it never shows older data (see above). Once the session's transaction has
    begun, it may see an older state than the latest commit (a snapshot): the version is then
    read in that transaction, as `current`."""
    versions = seen(session)
    if versions is not None:
        return versions[0]
    if not session.in_transaction():
        value = _reader.read(session.get_bind())
        if value is not None:
            return value
    return current(session)


class _VersionReader:
    """One autocommit connection per process and database, shared by the process's threads
    (a lock around each read); dropped at the first error, after which the session reads the
    version (and meets the outage as any request would) until a new connection works."""

    def __init__(self):
        self._lock = threading.Lock()
        self._connections: dict[tuple[int, str], object] = {}

    def read(self, engine: Engine) -> int | None:
        """The public version, or None when the reader's connection failed."""
        rows = self._fetch(engine, _READ)
        return None if rows is None else (rows[0][0] if rows else 0) or 0

    def read_both(self, engine: Engine) -> tuple[int, int] | None:
        """(public version, office version) in one statement, or None as `read`."""
        rows = self._fetch(engine, _READ_BOTH)
        if rows is None:
            return None
        values = dict(rows)
        return values.get(1) or 0, values.get(2) or 0

    def _fetch(self, engine: Engine, statement: str) -> list | None:
        key = (os.getpid(), str(engine.url))  # a forked worker never uses its parent's socket
        with self._lock:
            connection = self._connections.get(key)
            try:
                if connection is None:
                    connection = self._connections[key] = _autocommit_connection(engine)
                cursor = connection.cursor()
                try:
                    cursor.execute(statement)
                    rows = cursor.fetchall()
                finally:
                    cursor.close()
            except engine.dialect.loaded_dbapi.Error as error:
                log.info("version reader reconnects after: %s", error)
                self._connections.pop(key, None)
                if connection is not None:
                    with contextlib.suppress(engine.dialect.loaded_dbapi.Error):
                        connection.close()
                return None
        return rows

    def close_all(self) -> None:
        with self._lock:
            for (pid, _url), connection in list(self._connections.items()):
                if pid == os.getpid():  # a parent's connection is the parent's to close
                    with contextlib.suppress(Exception):  # a connection already gone
                        connection.close()
            self._connections.clear()


def _autocommit_connection(engine: Engine):
    """A driver connection of `engine`'s database, outside its pool, in autocommit."""
    args, options = engine.dialect.create_connect_args(engine.url)
    if engine.dialect.name == "sqlite":
        options = {**options, "check_same_thread": False, "isolation_level": None}
    connection = engine.dialect.connect(*args, **options)
    if engine.dialect.name != "sqlite":
        connection.autocommit = True
    return connection


_reader = _VersionReader()
atexit.register(_reader.close_all)


def mark_changed(session: Session) -> None:
    """Make this transaction bump both versions when it commits (for writes the events miss,
    such as raw SQL)."""
    session.info[_FLAG] = session.info[_OFFICE_FLAG] = True


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context):
    if session.info.get(_FLAG):
        return
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(not isinstance(obj, _UNSEEN) for obj in changed):
        session.info[_OFFICE_FLAG] = True
    for obj in changed:
        if isinstance(obj, SHOWN):
            session.info[_FLAG] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state):
    if (state.is_update or state.is_delete or state.is_insert) and not state.session.info.get(_FLAG):
        name = getattr(getattr(state.statement, "table", None), "name", None)
        if name not in _UNSEEN_TABLES:
            state.session.info[_OFFICE_FLAG] = True
        if name in _SHOWN_TABLES:
            state.session.info[_FLAG] = True


@event.listens_for(Session, "before_commit")
def _before_commit(session):
    if session.in_nested_transaction():
        return  # a savepoint: the bump waits for the real commit, as the last statement
    # The last flush happens after this hook: run it now to see every pending change.
    if session.new or session.dirty or session.deleted:
        session.flush()
    wrote = session.info.pop(_OFFICE_FLAG, False)
    if session.info.pop(_FLAG, False):
        session.execute(_BUMP)
    elif wrote:
        session.execute(_BUMP_OFFICE)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    if not session.in_nested_transaction():
        session.info.pop(_FLAG, None)
        session.info.pop(_OFFICE_FLAG, None)
