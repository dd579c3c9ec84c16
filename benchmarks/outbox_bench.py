"""How much the outbox adds to a change that sends mail, and how fast a worker sends.

    .venv/bin/python benchmarks/outbox_bench.py [--count 500] [--redis redis://127.0.0.1:6379/12] [--port 8122]

1. Enqueuing: a transaction that writes one audit event and commits, timed with and without
   `mail.queue` of a message composed beforehand (the composing existed before the outbox). The
   difference is what the outbox adds to a request: one INSERT in the transaction, and after the
   commit one job put in the queue (SQLite file in a temporary folder, or Redis with `--redis`).
2. Sending: that many queued messages sent by the worker's code (`send_batch`, batches of 100
   over one SMTP connection each) to aiosmtpd on a loopback port; messages per second.

Everything runs on a temporary SQLite database; nothing else is touched.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _app(folder: Path, redis_url: str, port: int):
    os.environ["INSTANCE_PATH"] = str(folder)
    from app import create_app, enable_migrations

    app = create_app({
        "APP_ENV": "production", "SECRET_KEY": "benchmark", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/b.sqlite3",
        "JOBS_IMMEDIATE": False, "JOBS_SQLITE_PATH": str(folder / "jobs.sqlite3"), "REDIS_URL": redis_url,
        "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
    })
    enable_migrations(app)  # a production application outside the `flask` command: it migrates here
    return app


def _transactions(db, count: int, with_mail: bool) -> list[float]:
    from registrations import mail
    from registrations.audit import record

    message = mail.Mail("officer@example.test", "Inscription acceptée", "Bonjour,\n" * 20, "fr")
    timings = []
    for n in range(count):
        start = time.perf_counter()
        record("benchmark.step", object_type="benchmark", object_id=n)
        if with_mail:
            mail.queue(message)
        db.session.commit()
        timings.append(time.perf_counter() - start)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--redis", default="", help="also measure the queue on this Redis URL")
    parser.add_argument("--port", type=int, default=8122, help="loopback port of the SMTP server")
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    class Sink:
        received = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.received += 1
            return "250 OK"

    for label, redis_url in [("SQLite queue", "")] + ([("Redis queue", args.redis)] if args.redis else []):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            app = _app(folder, redis_url, args.port)
            with app.app_context():
                from flask_migrate import upgrade
                from sqlalchemy import select

                from registrations.extensions import db
                from registrations.jobs import huey
                from registrations.messages.outbox import send_batch
                from registrations.models import Message

                upgrade()
                huey.flush()
                _transactions(db, 50, True)  # warm up
                without = _transactions(db, args.count, False)
                with_mail = _transactions(db, args.count, True)
                added = (statistics.median(with_mail) - statistics.median(without)) * 1000
                print(f"{label}: transaction median {statistics.median(without) * 1000:.3f} ms without mail, "
                      f"{statistics.median(with_mail) * 1000:.3f} ms with one message: +{added:.3f} ms "
                      f"(mean +{(statistics.mean(with_mail) - statistics.mean(without)) * 1000:.3f} ms)")
                huey.flush()
                if redis_url:
                    continue
                ids = list(db.session.scalars(select(Message.id).order_by(Message.id)))[-args.count:]
                db.session.commit()
                controller = Controller(Sink(), hostname="127.0.0.1", port=args.port)
                controller.start()
                try:
                    start = time.perf_counter()
                    for first in range(0, len(ids), 100):
                        send_batch(ids[first:first + 100])
                    elapsed = time.perf_counter() - start
                finally:
                    controller.stop()
                print(f"Sending: {Sink.received} messages in {elapsed:.2f} s to aiosmtpd on 127.0.0.1:{args.port}: "
                      f"{Sink.received / elapsed:.0f} messages/s (one worker thread)")
                db.engine.dispose()


if __name__ == "__main__":
    main()
