"""PostgreSQL connections are checked before use only after they idled (registrations/pool.py):
none is checked under load, and one that died while idle is replaced without the reader noticing."""

import psycopg
import pytest

from registrations import pool
from registrations.sessions import version


@pytest.fixture
def postgres(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's pool (a SQLite file never drops the connection)")
    return db


@pytest.fixture
def pings(postgres, monkeypatch):
    """The liveness checks of the application's pool, one entry each."""
    done = []
    dialect = postgres.engine.dialect
    original = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda connection: done.append(1) or original(connection))
    return done


def _cut_every_connection_of_the_pool(postgres) -> int:
    """What a restart of the server does to the pool's idle connections: the server ends them."""
    url = postgres.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as killer:
        cut = killer.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]
    # The version reader's own connection (kept by the process, outside the pool) was cut too; it
    # would reconnect at its second read, after one request read without it. Later tests of this
    # process count that request's queries: they get a new connection.
    version._reader.close_all()
    return cut


def test_a_connection_in_use_a_moment_ago_is_not_checked(postgres, client, pings):
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert pings == []


def test_a_connection_that_died_while_idle_is_replaced_before_the_request_uses_it(postgres, client, pings,
                                                                                  monkeypatch):
    assert client.get("/healthz").status_code == 200
    monkeypatch.setattr(pool._listeners[postgres.engine], "idle", 0)  # every connection has idled long enough
    postgres.session.remove()
    assert _cut_every_connection_of_the_pool(postgres) >= 1
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json["database"] == "up"
    assert pings, "the idle connection was checked"


def test_without_the_check_a_dead_connection_costs_one_503_and_the_pool_recovers(postgres, client, monkeypatch):
    assert client.get("/healthz").status_code == 200
    monkeypatch.setattr(pool._listeners[postgres.engine], "idle", 3600)  # used a moment ago: not checked
    postgres.session.remove()
    assert _cut_every_connection_of_the_pool(postgres) >= 1
    assert client.get("/healthz").status_code == 503
    assert client.get("/healthz").status_code == 200  # the pool replaced its older connections
