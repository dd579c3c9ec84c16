"""The unit of work: services change objects and `flush()`; the edge — a view, a command, a
job — decides when the work is done and commits it, here.

`run(work, …)` calls one service (or a function combining several) and commits what it did, or
rolls everything back when it raises: a refusal never leaves a partial write. When the
database reports that the work lost a race (a unique key taken meanwhile, a serialisation
failure or a deadlock), the whole unit runs again, at most `attempts` times; the rules then
see the winner's row and refuse with their own message. Conflicts are recognised by their
SQLSTATE (PostgreSQL) or extended error code (SQLite), never by the text of the message.
"""

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

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
