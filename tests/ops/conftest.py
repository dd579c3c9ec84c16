"""Fixtures of the operations tests: private servers (see servers.py)."""

import pytest

from tests.ops.servers import PrivatePostgres, PrivateRedis


@pytest.fixture(scope="session")
def private_postgres():
    """A PostgreSQL server started for these tests only (removed at the end)."""
    server = PrivatePostgres()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()
