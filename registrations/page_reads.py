"""Page reads on PostgreSQL: no BEGIN and ROLLBACK around them, their statements prepared.

A GET or HEAD request reads (the few that write, an audited export adding its audit record, are
handled below). At PostgreSQL's default isolation, READ COMMITTED, each statement reads its own
snapshot whether or not it runs inside a transaction block, so a request that reads sees what it
would see inside one, and the block only adds two round trips to the server: BEGIN before the
first statement, ROLLBACK after the last.

The driver, psycopg, also forgets the statements it prepared on the server at every ROLLBACK
(it prepares a statement once it has run it five times on a connection): inside blocks that
always end in ROLLBACK, a page read never used a prepared statement, and the server parsed and
planned every one of them again.

So the connection of a transaction that begins in a GET or HEAD request runs in autocommit (set
by the engine's `begin` event, before any statement; nothing is sent), until its first
statement that is not a plain SELECT: from that statement on, it is an ordinary transaction
(psycopg sends BEGIN before it), which the request commits or rolls back as any other. What a
request writes is therefore as atomic as before, and a row locked by `SELECT … FOR UPDATE` stays
locked until the end, and a server-side cursor (a streamed export) has its block. The connection
goes back to the pool as it came (the pool's `checkin`); what runs on it after the request in
the same application context (a test's own statements) follows the same rule.

A statement whose best plan depends on its arguments (the catalogue's searches and filters) is
marked with the execution option `prepare=False` (see `PLANNED_EACH_TIME`) and never prepared: a
prepared statement that has run five times may be planned once for any arguments (a generic
plan), which made the catalogue's filters 5 % slower.

Measured on the scale data (benchmarks/run.py, PostgreSQL): a stored certificate's download
664 and 653 → 711 and 712 requests per second; in one process 2.43 → 2.16 ms per request
(medians of ten alternating rounds). SQLite is left as it is: its BEGIN and ROLLBACK are calls
inside the process, and its driver keeps the statements it prepared across transactions.
"""

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection

#: In the connection's `info` (kept with the driver's connection) while it reads in autocommit.
_READING = "page_read_autocommit"
#: Execution options of a statement planned for its own arguments at every run.
PLANNED_EACH_TIME = {"prepare": False}
#: Row locks: a statement with one of these runs inside the transaction block.
_LOCKS = (" FOR UPDATE", " FOR NO KEY UPDATE", " FOR SHARE", " FOR KEY SHARE")


def is_page_read() -> bool:
    """Whether this is a request that reads: GET or HEAD."""
    return has_request_context() and request.method in ("GET", "HEAD")


def init_app(app, db) -> None:
    """Make the page reads of the application's database (PostgreSQL only) run in autocommit."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql" or event.contains(engine, "begin", _begin):
        return
    event.listen(engine, "begin", _begin)
    event.listen(engine, "before_cursor_execute", _before_statement)
    event.listen(engine, "do_execute", _execute)
    event.listen(engine.pool, "checkin", _checkin)


def _begin(connection: Connection) -> None:
    if not is_page_read():
        return
    # Nothing is sent: psycopg would have sent BEGIN before the first statement.
    connection.connection.driver_connection.autocommit = True
    connection.info[_READING] = True


def _is_plain_read(statement: str, context) -> bool:
    """A SELECT that locks no row, read whole (a server-side cursor, for a streamed export,
    lives in a transaction block)."""
    return (statement.lstrip()[:6].upper() == "SELECT" and not any(lock in statement for lock in _LOCKS)
            and not (context is not None and context.execution_options.get("stream_results")))


def _before_statement(conn, cursor, statement, parameters, context, executemany):
    if conn.info.get(_READING) and not _is_plain_read(statement, context):
        # From here on, a transaction block: psycopg sends BEGIN before this statement.
        conn.connection.driver_connection.autocommit = False
        del conn.info[_READING]


def _execute(cursor, statement, parameters, context):
    if context.execution_options.get("prepare") is False:
        cursor.execute(statement, parameters, prepare=False)
        return True
    return False


def _checkin(dbapi_connection, connection_record) -> None:
    if connection_record.info.pop(_READING, None) and dbapi_connection is not None:
        dbapi_connection.autocommit = False
