"""The jobs: sending the outbox, and the scheduled work (offers, reminders, purge).

Each job runs in an application context of its own and commits at its edge.
"""

from huey import crontab

from registrations.jobs import huey, job_context


@huey.task()
def send_messages(ids: list[int]) -> dict:
    """Send these outbox messages (enqueued after the commit that recorded them)."""
    from registrations.messages.outbox import send_batch

    with job_context():
        return send_batch(ids)


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox() -> dict:
    """Every minute: send queued messages that are due (retries, lost jobs, interrupted sendings)."""
    from registrations.messages.outbox import sweep

    with job_context():
        return sweep()


@huey.periodic_task(crontab(minute="*/5"))
def expire_offers() -> int:
    """Every five minutes: seat offers that ran out pass to the next people on the waiting list."""
    from registrations.enrolment.services import expire_offers as expire
    from registrations.transaction import run

    with job_context():
        return run(expire)  # the job is the edge: it commits the unit of work


@huey.periodic_task(crontab(minute="0"))
def send_reminders() -> int:
    """Every hour: queue the reminders due today (each person gets each reminder once)."""
    from registrations.messages.reminders import queue_reminders
    from registrations.transaction import run

    with job_context():
        return run(queue_reminders)


@huey.periodic_task(crontab(minute="30", hour="2"))
def daily_purge() -> dict:
    """Every night: what the retention rules say (see README, "Retention")."""
    from registrations.messages.retention import purge_all

    with job_context():
        return purge_all()


@huey.periodic_task(crontab(minute="15"))
def store_certificate_pdfs() -> int:
    """Every hour: draw and keep the PDFs of valid certificates never stored (bulk-loaded data)."""
    from registrations.certificates.storage import store_missing_pdfs

    with job_context():
        return store_missing_pdfs()


@huey.task()
def store_session_pdfs(session_id: int) -> int:
    """Draw and keep the PDFs of a session's certificates (after issuing, or before its first ZIP)."""
    from registrations.certificates.storage import store_missing_pdfs

    with job_context():
        return store_missing_pdfs(session_id, limit=100_000)


@huey.task()
def deliver_webhooks(message_ids: list[str]) -> dict:
    """Send these webhook deliveries (enqueued after the commit that recorded them)."""
    from registrations.webhooks.delivery import deliver

    with job_context():
        return {message_id: deliver(message_id) for message_id in message_ids}


@huey.periodic_task(crontab(minute="*"))
def retry_webhooks() -> dict:
    """Every minute: webhook deliveries whose retry is due, and any whose job was lost."""
    from registrations.webhooks.delivery import deliver, due

    with job_context():
        return {message_id: deliver(message_id) for message_id in due()}
