"""The job queue: Huey, with SQLite storage in the instance folder, or Redis when `REDIS_URL` is set.

Tasks are declared in `registrations/tasks.py`; each runs in an application context of its own
(so a job never shares a request's database session). Tests run jobs at once, in the process
that enqueues them (`JOBS_IMMEDIATE`), unless a test starts a real worker.
"""

from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import RedisStorage, SqliteStorage

#: The queue; its storage is chosen by `init_app` (in memory until then).
huey = Huey("registrations", results=False, immediate=True)

_app: Flask | None = None


def init_app(app: Flask) -> None:
    """Choose the queue's storage from the configuration and register the tasks."""
    global _app
    _app = app
    from registrations import tasks  # noqa: F401 (registers the tasks and periodic tasks)

    if app.config["JOBS_IMMEDIATE"]:
        huey.immediate = True
        return
    huey._immediate = False
    if app.config["REDIS_URL"]:
        huey.storage = RedisStorage(huey.name, url=app.config["REDIS_URL"])
    else:
        path = Path(app.config["JOBS_SQLITE_PATH"])
        path.parent.mkdir(parents=True, exist_ok=True)
        # No fsync per job: the outbox row is the durable record, and a job lost with the file's
        # last writes is picked up by the sweep; it keeps enqueuing under a millisecond.
        huey.storage = SqliteStorage(huey.name, filename=str(path), fsync=False)


@contextmanager
def job_context():
    """A fresh application context (and database session) for one job."""
    app = current_app._get_current_object() if has_app_context() else _app
    if app is None:
        raise RuntimeError("The job queue is not bound to an application (call jobs.init_app).")
    with app.app_context():
        yield app
