"""The queue's storage: Redis when REDIS_URL is set (production), a SQLite file otherwise."""

import os

import pytest
import redis
from huey.storage import RedisStorage, SqliteStorage

from app import create_app
from registrations import mail
from registrations.extensions import db as _db
from registrations.jobs import huey

REDIS_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def restore_queue():
    yield
    huey.immediate = False
    huey.immediate = True  # back to jobs run at once, in memory


def _app(database_url, **config):
    return create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "JOBS_IMMEDIATE": False,
                       **config})


def test_with_redis_url_a_committed_message_waits_in_redis_for_a_worker(app, database_url, restore_queue):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis on 127.0.0.1:6379")
    redis_app = _app(database_url, REDIS_URL=REDIS_URL)
    assert isinstance(huey.storage, RedisStorage)
    huey.storage.flush_queue()
    with redis_app.app_context():
        mail.queue(mail.Mail("a@example.test", "Objet", "Texte", "fr"))
        _db.session.commit()
        assert huey.storage.queue_size() == 1
        assert huey.deserialize_task(huey.storage.dequeue()).name == "send_messages"
        _db.session.remove()
        _db.engine.dispose()


def test_without_redis_the_queue_is_a_sqlite_file(app, database_url, tmp_path, restore_queue):
    _app(database_url, REDIS_URL="", JOBS_SQLITE_PATH=str(tmp_path / "jobs.sqlite3"))
    assert isinstance(huey.storage, SqliteStorage)
    assert (tmp_path / "jobs.sqlite3").exists()
