"""Connections of a network database are checked before use only after they idled.

The pool hands a request a connection it used before. That connection may have died meanwhile
(the server restarted, a firewall dropped an idle socket): the request's first statement would
then fail. SQLAlchemy's `pool_pre_ping` checks every connection at every checkout with a
`SELECT 1`: one more round trip to the server for each request that reads anything, about a
tenth of a certificate's verification page on PostgreSQL.

Here a connection is checked only when it comes back to work after more than
`DB_PING_AFTER_IDLE` seconds in the pool (10 by default; 0 checks at every checkout, as
`pool_pre_ping`), with the dialect's own ping (`Dialect.do_ping`, outside any transaction). One
that does not answer is thrown away and the pool hands another (or a new one): the pool's
documented way (`DisconnectionError` in a `checkout` listener). A connection busy under load is
not checked. If the server restarts under load, the requests running then get the 503 page, as
they would anyway, and the first connection found dead makes the pool replace all its older ones
(SQLAlchemy invalidates the pool on a disconnect): the instances recover by themselves.

SQLite needs none of this (a file never drops the connection).
"""

import time
import weakref

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

#: In a pooled connection's `info`: when it last came back to the pool (`time.monotonic`).
_RETURNED_AT = "returned_to_pool_at"


class _PingAfterIdle:
    """The `checkout` listener of one engine."""

    def __init__(self, engine: Engine, idle: float):
        self.dialect, self.idle = engine.dialect, idle

    def __call__(self, dbapi_connection, connection_record, connection_proxy) -> None:
        returned = connection_record.info.get(_RETURNED_AT)
        if returned is None or time.monotonic() - returned < self.idle:
            return  # a new connection, or one in use a moment ago
        try:
            alive = self.dialect.do_ping(dbapi_connection)
        except self.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(f"connection dead after {self.idle:g} s idle: {error}") from error
        if not alive:
            raise DisconnectionError(f"connection dead after {self.idle:g} s idle")


_listeners: "weakref.WeakKeyDictionary[Engine, _PingAfterIdle]" = weakref.WeakKeyDictionary()


def init_app(app, db) -> None:
    """Check the connections of the application's network database after they idled."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite" or engine in _listeners:
        return
    listener = _listeners[engine] = _PingAfterIdle(engine, float(app.config["DB_PING_AFTER_IDLE"]))
    event.listen(engine, "checkout", listener)
    event.listen(engine, "checkin", _returned)


def _returned(dbapi_connection, connection_record) -> None:
    connection_record.info[_RETURNED_AT] = time.monotonic()
