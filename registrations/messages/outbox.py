"""The outbox: record messages with the change that causes them, then send each exactly once.

A message row is written in the caller's transaction (`record`), often under a session's lock: a
kind of message and the values its text is made from, nothing rendered. After the commit a job
sends it (`send_batch`): the worker claims the row with a conditional UPDATE (queued → sending),
commits, writes the subject and body in the recipient's language and keeps them
(`kinds.render_into`), talks to the SMTP server, then marks it sent. Each step is its own unit
of work (`transaction.run`). A second worker, or the same job run twice, finds
the row no longer queued and skips it. Connection failures and temporary refusals (4xx) put the
row back in the queue with a growing delay; permanent refusals (5xx), invalid addresses and
oversized attachments fail it at once with the reason. A row left in `sending` by a worker that
died is taken again after `MAIL_SENDING_TIMEOUT` seconds by the sweep (`sweep`), which also
sends queued rows whose job was lost.
"""

import json
import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, inspect, or_, select, update

from registrations.clock import local_now
from registrations.extensions import db
from registrations.mail import Gone
from registrations.messages import delivery, kinds
from registrations.models.messages import Message, MessageState
from registrations.transaction import after_commit, run

#: Delay before the n-th retry (seconds); the last one repeats until MAIL_MAX_TRIES.
BACKOFF = (30, 60, 300, 900, 1800, 3600)


def record(mail, *, key: str | None = None, about: tuple[str, int] | None = None,
           user_id: int | None = None, attachments: list[dict] | None = None, flush: bool = True) -> Message | None:
    """Add the message to the current transaction; None when its key was already recorded.

    `mail` is a `mail.Deferred` (written when sent: nothing is rendered here) or a `mail.Mail`
    already written. The row is written at once (its id known), or with `flush=False` by the
    transaction's next flush, with the change it tells of (a service that flushes its work).
    """
    from registrations.mail import Deferred

    if key is not None and db.session.scalar(select(Message.id).where(Message.idempotency_key == key)):
        return None
    object_type, object_id = about or ("", None)
    now = local_now()
    if isinstance(mail, Deferred):
        text = {"kind": mail.kind, "context": json.dumps(mail.context, ensure_ascii=False), "subject": "",
                "body": "", "html_body": None, "rendered_at": None}
    else:
        text = {"kind": "", "context": None, "subject": mail.subject[:500], "body": mail.body,
                "html_body": mail.html, "rendered_at": now}
    message = Message(
        idempotency_key=key or uuid.uuid4().hex, recipient=mail.to, language=mail.locale, **text,
        attachments=json.dumps(attachments) if attachments else None,
        state=MessageState.QUEUED, tries=0, last_error="", created_at=now,
        object_type=object_type, object_id=object_id, user_id=user_id,
    )
    db.session.add(message)
    if flush:
        db.session.flush()
    # One job sends what the transaction recorded, once it has committed (see transaction.after_commit).
    after_commit(enqueue_sending, [], key="outbox")[0].append(message)
    return message


def enqueue_sending(messages: list[Message]) -> None:
    """Enqueue the job that sends these messages (called after the commit that recorded them:
    their ids are known, and read from their identity without loading them again)."""
    from registrations.tasks import send_messages

    send_messages([inspect(message).identity[0] for message in messages])


def _claim(message_id: int, now: datetime) -> bool:
    """Take the message for sending if nobody has (queued and due, or an interrupted sending);
    committed at once, before the server is spoken to."""
    return run(_claim_row, message_id, now)


def _claim_row(message_id: int, now: datetime) -> bool:
    stale = now - timedelta(seconds=current_app.config["MAIL_SENDING_TIMEOUT"])
    result = db.session.execute(
        update(Message)
        .where(Message.id == message_id, _claimable(now, stale))
        .values(state=MessageState.SENDING, claimed_at=now, tries=Message.tries + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _claimable(now: datetime, stale: datetime):
    return or_(
        and_(Message.state == MessageState.QUEUED,
             or_(Message.next_try_at.is_(None), Message.next_try_at <= now)),
        and_(Message.state == MessageState.SENDING, Message.claimed_at < stale),
    )


def _finish(message_id: int, **values) -> None:
    """Record the outcome of a sending (committed at once: a crash loses at most one sending)."""
    run(_finish_row, message_id, values)


def _finish_row(message_id: int, values: dict) -> None:
    db.session.execute(
        update(Message).where(Message.id == message_id, Message.state == MessageState.SENDING)
        .values(**values).execution_options(synchronize_session=False)
    )


def _retry_later(message: Message, error: str, now: datetime) -> None:
    tries = message.tries
    if tries >= current_app.config["MAIL_MAX_TRIES"]:
        _finish(message.id, state=MessageState.FAILED, last_error=f"{error} (gave up after {tries} tries)"[:1000])
        return
    delay = BACKOFF[min(tries, len(BACKOFF)) - 1]
    _finish(message.id, state=MessageState.QUEUED, last_error=error[:1000], claimed_at=None,
            next_try_at=now + timedelta(seconds=delay))


def send_batch(ids: list[int], now: datetime | None = None) -> dict:
    """Send the given messages over one connection; return counts by outcome.

    The edge of a job: commits after each state change, so a crash loses at most one sending.
    """
    now = now or local_now()
    counts = {"sent": 0, "failed": 0, "retry": 0, "skipped": 0}
    with delivery.connection() as connection:
        for message_id in ids:
            if not _claim(message_id, now):
                counts["skipped"] += 1
                continue
            message = db.session.get(Message, message_id)
            try:
                _write(message)
                email = delivery.build(message)
                connection.send(email, message)
            except delivery.PermanentFailure as failure:
                _finish(message_id, state=MessageState.FAILED, last_error=str(failure)[:1000])
                counts["failed"] += 1
            except delivery.TemporaryFailure as failure:
                _retry_later(message, str(failure), now)
                counts["retry"] += 1
                if failure.connection_lost:
                    connection.reset()
            else:
                _finish(message_id, state=MessageState.SENT, sent_at=local_now(), last_error="")
                counts["sent"] += 1
            finally:
                db.session.expire_all()
    return counts


def _write(message: Message) -> None:
    """Render a message of a kind now, in its language, and keep what was rendered."""
    if message.rendered_at is not None:
        return
    message_id = message.id
    try:
        run(kinds.render_into, message)
    except Gone as error:
        raise delivery.PermanentFailure(f"cannot write the message: {error}") from error
    except Exception as error:  # a broken template must not leave the message "sending"
        current_app.logger.exception("Could not write message %s", message_id)
        raise delivery.PermanentFailure(f"cannot write the message: {type(error).__name__}: {error}") from error


def due_ids(now: datetime, limit: int = 500) -> list[int]:
    """Messages the sweep should (re)send: queued and due, or left sending by a dead worker."""
    stale = now - timedelta(seconds=current_app.config["MAIL_SENDING_TIMEOUT"])
    return list(db.session.scalars(
        select(Message.id).where(_claimable(now, stale)).order_by(Message.id).limit(limit)))


def sweep(now: datetime | None = None) -> dict:
    """Send every message that is due (the periodic job, and the worker at start-up)."""
    now = now or local_now()
    totals = {"sent": 0, "failed": 0, "retry": 0, "skipped": 0}
    ids = run(due_ids, now)
    for start in range(0, len(ids), 100):
        for outcome, n in send_batch(ids[start:start + 100], now).items():
            totals[outcome] += n
    return totals


def send_again(message_id: int, actor=None) -> Message:
    """Queue a copy of a message (admins' "send again"): the text that was sent, or, for a message
    not written yet, the same kind and context. The caller commits."""
    from registrations.audit import record as audit
    from registrations.mail import Deferred, Mail

    original = db.session.get(Message, message_id)
    if original is None:
        return None
    if original.rendered_at is None and original.kind:
        mail = Deferred(original.kind, original.recipient, original.language, json.loads(original.context or "{}"))
    else:
        mail = Mail(original.recipient, original.subject, original.body, original.language, original.html_body)
    copy = record(mail, about=(original.object_type, original.object_id) if original.object_type else None,
                  user_id=original.user_id,
                  attachments=json.loads(original.attachments) if original.attachments else None)
    audit("message.sent_again", original, actor=actor, after={"copy": copy.id})
    return copy


def purge(now: datetime | None = None, days: int | None = None) -> int:
    """Empty the bodies of messages sent more than `days` ago (default MESSAGE_RETENTION_DAYS)."""
    now = now or local_now()
    days = current_app.config["MESSAGE_RETENTION_DAYS"] if days is None else days
    result = db.session.execute(
        update(Message)
        .where(Message.state == MessageState.SENT, Message.sent_at < now - timedelta(days=days),
               Message.body != "")
        .values(body="", html_body=None, attachments=None, context=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount

