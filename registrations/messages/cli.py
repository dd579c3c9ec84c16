"""Command line: the job worker, the development server with its worker, and the scheduled work."""

import logging
import os
import signal
import subprocess
import sys
import threading

import click
from flask import current_app
from werkzeug.serving import run_simple

from registrations.extensions import db
from registrations.messages import bp


@bp.cli.command("worker")
@click.option("--threads", type=click.IntRange(min=1), default=None,
              help="Jobs run at once (default: WORKER_THREADS, 2).")
@click.option("--no-periodic", is_flag=True, help="Do not schedule the periodic jobs (another worker does).")
def worker_command(threads, no_periodic):
    """Run the job worker: sends the outbox and runs the scheduled jobs (stop with Ctrl-C)."""
    from registrations.jobs import huey
    from registrations.messages.outbox import sweep

    if huey.immediate:
        raise click.ClickException("JOBS_IMMEDIATE is set: jobs run in the process that enqueues them.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("huey").setLevel(logging.WARNING)  # one line per job would drown the messages
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting speaks at INFO for each PDF
    # Messages whose job was lost while no worker ran (or a worker was killed) go out first.
    totals = sweep()
    db.session.remove()
    click.echo(f"Outbox at start: {totals}")
    _start_rendering_processes()
    # An idle worker looks at the queue at least every second (Redis storage blocks instead).
    consumer = huey.create_consumer(workers=threads or current_app.config["WORKER_THREADS"],
                                    worker_type="thread", periodic=not no_periodic, check_worker_health=True,
                                    max_delay=1.0)
    consumer.run()


def _start_rendering_processes() -> None:
    """Start the processes that draw certificates now, and say when they are ready: the first
    session issued or zipped then waits only for its own certificates."""
    from concurrent.futures import wait

    from registrations.certificates.rendering import warm_up

    started = warm_up()
    if not started:
        click.echo("Certificate rendering: in the job worker's own threads")
    else:
        def ready() -> None:
            wait(started)
            failed = sum(1 for future in started if future.exception() is not None)
            click.echo(f"Certificate rendering processes ready: {len(started) - failed} of {len(started)}")

        threading.Thread(target=ready, name="rendering-ready", daemon=True).start()


@bp.cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
def serve_command(host, port):
    """Development: the web server and a job worker, in one command (stop both with Ctrl-C)."""
    # A stop request (Ctrl-C, or SIGTERM from a process manager) also stops the worker below.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    env = dict(os.environ)
    app_ref = os.environ.get("FLASK_APP", "app")
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", app_ref, "worker"], env=env)  # noqa: S603
    try:
        click.echo(f"Serving on http://{host}:{port}/ (the job worker runs beside it; Ctrl-C stops both)")
        run_simple(host, port, current_app._get_current_object(), threaded=True)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


@bp.cli.command("send-messages")
def send_messages_command():
    """Send every queued message that is due now (what the worker's sweep does each minute)."""
    from registrations.messages.outbox import sweep

    click.echo(f"Outbox: {sweep()}")


@bp.cli.command("send-reminders")
def send_reminders_command():
    """Queue today's reminders (7 days and 1 day before each session); each is sent once."""
    from registrations.messages.reminders import queue_reminders
    from registrations.transaction import run

    queued = run(queue_reminders)
    click.echo(f"Reminders queued: {queued}")


@bp.cli.command("purge")
def purge_command():
    """Apply the retention rules now (what the nightly job does)."""
    from registrations.messages.retention import purge_all

    click.echo(f"Purged: {purge_all()}")
