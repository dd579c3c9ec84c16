"""The unit of work: services change objects and `flush()`; the edge — a view, a command, a
job — decides when the work is done and commits it, here.

`run(work, …)` calls one service (or a function combining several) and commits what it did, or
rolls everything back when it raises: a refusal never leaves a partial write. When the
database reports that the work lost a race (a unique key taken meanwhile, a serialisation
failure or a deadlock), the whole unit runs again, at most `attempts` times; the rules then
see the winner's row and refuse with their own message. Conflicts are recognised by their
SQLSTATE (PostgreSQL) or extended error code (SQLite), never by the text of the message.

Enqueue after commit: a job that works on what a transaction wrote (sending its messages,
drawing its certificates) is registered with `after_commit(callback, …)` inside the
transaction and enqueued once the transaction has committed and given its connection back —
never for a transaction that rolled back (a refusal, a lost race retried by `run`), and never
before the rows it reads are visible to the worker.
"""

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import current_app
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from registrations.extensions import db

P = ParamSpec("P")
T = TypeVar("T")

#: unique_violation, serialization_failure, deadlock_detected
RETRY_SQLSTATES = frozenset({"23505", "40001", "40P01"})
#: SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
RETRY_SQLITE_CODES = frozenset({2067, 1555})


def is_conflict(error: DBAPIError) -> bool:
    """Whether a database error means "another transaction got there first": worth a retry."""
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in RETRY_SQLSTATES
    return getattr(original, "sqlite_errorcode", None) in RETRY_SQLITE_CODES


def is_unique_violation(error: DBAPIError) -> bool:
    """Whether a database error is a unique key (or primary key) taken by another row."""
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate == "23505"
    return getattr(original, "sqlite_errorcode", None) in RETRY_SQLITE_CODES


def run(work: Callable[P, T], *args: P.args, attempts: int = 3, **kwargs: P.kwargs) -> T:
    """Run `work(*args, **kwargs)` as one transaction: commit when it returns, roll back when
    it raises; run it again when it lost a race (see `is_conflict`)."""
    for attempt in range(1, attempts + 1):
        try:
            result = work(*args, **kwargs)
            db.session.commit()
            return result
        except DBAPIError as error:
            db.session.rollback()
            if attempt < attempts and is_conflict(error):
                continue
            raise
        except BaseException:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def committed(work: Callable[P, T]) -> Callable[P, T]:
    """Decorate an edge function (a command, a job) so that each call is one unit of work."""

    @wraps(work)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        return run(work, *args, **kwargs)

    return wrapper


_PENDING = "after_commit_pending"  # callbacks of the transaction in progress
_READY = "after_commit_ready"  # callbacks of a committed transaction, run when it has ended


def after_commit(callback: Callable, *args, key: str | None = None) -> tuple:
    """Call `callback(*args)` once the current transaction has committed and ended; drop it if
    the transaction rolls back.

    With `key`, only the first callback registered under that key in a transaction is kept, and
    its arguments are returned, so that callers can collect into one job, e.g.
    `after_commit(enqueue_sending, [], key="outbox")[0].append(message)`.
    """
    pending = db.session.info.setdefault(_PENDING, {})
    entry = pending.setdefault(key if key is not None else object(), (callback, args))
    return entry[1]


def has_pending_work(session) -> bool:
    """Whether callbacks wait for the commit of the session's transaction in progress."""
    return bool(session.info.get(_PENDING))


def _committed(session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_READY, []).extend(pending.values())


def _rolled_back(session) -> None:
    session.info.pop(_PENDING, None)


def _ended(session, transaction) -> None:
    # Once the outermost transaction is over and its connection given back (a job run at once, as
    # in tests, needs a connection of its own), run what it committed.
    if transaction.parent is not None:
        return
    ready = session.info.pop(_READY, None)
    for callback, args in ready or ():
        try:
            callback(*args)
        except Exception:  # e.g. the queue is down: the periodic jobs catch up
            current_app.logger.exception("Could not run %s after a commit", getattr(callback, "__name__", callback))


def init_app(app) -> None:
    """Run the callbacks registered with `after_commit` after each commit; forget them after a rollback."""
    if not event.contains(db.session, "after_commit", _committed):
        event.listen(db.session, "after_commit", _committed)
        event.listen(db.session, "after_rollback", _rolled_back)
        event.listen(db.session, "after_transaction_end", _ended)
