"""A real worker process (`flask worker`) killed with SIGKILL in the middle of a job.

The job that was running is lost with the process (Huey took it off the queue); the message it
was sending stays "sending". The next worker takes it again once `MAIL_SENDING_TIMEOUT` has
passed and sends it; the server receives every message exactly once.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from huey.storage import SqliteStorage
from sqlalchemy import select

from registrations import mail
from registrations.jobs import huey
from registrations.models import Message, MessageState
from tests.messages.smtp import HOST, SMTPServer

ROOT = Path(__file__).resolve().parents[2]


def _worker(database_url: str, tmp_path: Path, smtp_port: int, *options: str, settings: dict | None = None,
            **popen) -> subprocess.Popen:
    """A `flask worker` process with one thread (its output in a pipe unless `popen` says otherwise)."""
    env = {
        **os.environ,
        "APP_ENV": "production", "SECRET_KEY": "worker-test-key", "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path), "JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3"),
        "MAIL_SERVER": HOST, "MAIL_PORT": str(smtp_port), "MAIL_SENDING_TIMEOUT": "1", "REDIS_URL": "",
        "JOBS_IMMEDIATE": "false", "PUBLIC_BASE_URL": "http://localhost", **(settings or {}),
    }
    popen = {"stdout": subprocess.PIPE, "stderr": subprocess.DEVNULL, "text": True, **popen}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker", "--threads", "1",  # noqa: S603
                             *options], cwd=ROOT, env=env, **popen)


def _stop(process: subprocess.Popen | None, signum: int = signal.SIGINT) -> None:
    """Stop a worker as its operator would (Ctrl-C), killing it if it does not stop in time."""
    if process is None:
        return
    if process.poll() is None:
        process.send_signal(signum)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    if process.stdout is not None:
        process.stdout.close()


@pytest.fixture
def queue_in_file(tmp_path):
    """Enqueue jobs into the SQLite storage a worker process reads (instead of running them at once)."""
    storage = SqliteStorage(huey.name, filename=str(tmp_path / "jobs.sqlite3"))
    huey._immediate = False
    huey.storage = storage
    yield storage
    huey.immediate = False
    huey.immediate = True  # back to running jobs at once, in memory


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _states(db) -> list:
    db.session.rollback()
    return list(db.session.scalars(select(Message.state).order_by(Message.id)))


def test_a_worker_killed_mid_job_leaves_no_message_lost_or_sent_twice(app, db, database_url, tmp_path,
                                                                    smtp_port, queue_in_file):
    server = SMTPServer(smtp_port).start()
    server.handler.hold = hold = threading.Event()
    first = second = None
    try:
        first = _worker(database_url, tmp_path, smtp_port)
        assert first.stdout.readline().startswith("Outbox at start")  # its consumer starts next
        for n in range(3):
            mail.queue(mail.Mail(f"officer{n}@example.test", f"Message {n}", "Corps", "fr"))
        db.session.commit()  # one job for three messages, enqueued in the queue's file
        assert server.handler.in_rcpt.wait(45), "the worker's job reached the SMTP server"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert _states(db) == [MessageState.SENDING, MessageState.QUEUED, MessageState.QUEUED]
        # Whether the worker was sending through the enqueued job or through its sweep at start
        # (which can claim the messages first, leaving the job queued), what follows must hold:
        # the interrupted message is sent again, the others once, nobody twice.
        hold.set()
        time.sleep(1.2)  # past MAIL_SENDING_TIMEOUT: the sending is known to be interrupted

        second = _worker(database_url, tmp_path, smtp_port)
        _wait(lambda: _states(db) == [MessageState.SENT] * 3, 45, "the next worker to send everything")
        time.sleep(0.5)
        received = server.handler.received()
    finally:
        hold.set()
        for process in (first, second):
            _stop(process)
        server.stop()
    assert sorted(m["To"] for m in received) == [f"officer{n}@example.test" for n in range(3)]
    db.session.rollback()
    assert [m.tries for m in db.session.scalars(select(Message).order_by(Message.id))] == [2, 1, 1]


@pytest.mark.parametrize("processes, said", [
    ("2", "Certificate rendering processes ready: 2 of 2"),
    ("1", "Certificate rendering: in the job worker's own threads"),
])
def test_a_worker_starts_its_certificate_rendering_processes_at_once(database_url, tmp_path, smtp_port,
                                                                     processes, said):
    """The first session issued or zipped does not wait for the rendering processes to start."""
    worker = _worker(database_url, tmp_path, smtp_port, "--no-periodic",
                     settings={"CERTIFICATE_RENDER_PROCESSES": processes})
    try:
        lines = []
        deadline = time.monotonic() + 60
        while said not in lines and time.monotonic() < deadline and worker.poll() is None:
            lines.append(worker.stdout.readline().strip())
        assert said in lines, lines
        children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
        if processes == "2" and children.exists():  # the two, and multiprocessing's resource tracker
            assert len(children.read_text().split()) >= 2
    finally:
        _stop(worker)


def test_ctrl_c_stops_the_worker_and_its_rendering_processes_quietly(database_url, tmp_path, smtp_port):
    """Ctrl-C in a terminal signals every process of the group: the worker stops, its rendering
    processes with it, and none of them prints a KeyboardInterrupt."""
    output = tmp_path / "worker.log"
    with output.open("w") as log:
        worker = _worker(database_url, tmp_path, smtp_port, "--no-periodic",
                         settings={"CERTIFICATE_RENDER_PROCESSES": "2"}, stdout=log, stderr=subprocess.STDOUT,
                         start_new_session=True,  # a group of its own, as a terminal's job
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509
    try:
        _wait(lambda: "processes ready" in output.read_text(), 60, "the rendering processes")
        children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
        assert len(children) >= 2
        os.killpg(worker.pid, signal.SIGINT)
        worker.wait(20)
        _wait(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children), 20, "the rendering processes to end")
    finally:
        _stop(worker, signal.SIGKILL)
    assert "KeyboardInterrupt" not in output.read_text() and "Traceback" not in output.read_text()
