"""Delivery through a real SMTP server (aiosmtpd on a loopback port), on SQLite and PostgreSQL.

The server can be down, refuse a recipient, or hold a client in the middle of a conversation;
the outbox must lose nothing and send each message once.
"""

from datetime import timedelta

from sqlalchemy import func, select

from registrations import mail
from registrations.clock import local_now
from registrations.messages.outbox import sweep
from registrations.models import Message, MessageState
from tests.messages.smtp import SMTPServer
from tests.registrations.conftest import register


def _states(db) -> dict:
    db.session.expire_all()
    rows = db.session.execute(select(Message.state, func.count()).group_by(Message.state)).all()
    return dict(rows)


def test_smtp_down_while_fifty_register_then_each_message_is_delivered_once(
        smtp_app, db, smtp_port, make_session, make_participant, partner_user):
    session = make_session(capacity=60, auto_approve=True)
    agency = partner_user.agency
    people = [make_participant(agency, name_latin=f"Officer {n:02d}") for n in range(50)]
    session_id, agency_id = session.id, agency.id
    for person in people:  # the server is down: every registration still succeeds
        registration = register(session_id, agency_id=agency_id, participant_id=person.id,
                                nominated=True, actor=partner_user)
        assert registration.id
    db.session.rollback()
    recorded = db.session.scalar(select(func.count()).select_from(Message))
    assert recorded == 100  # the person and the colleague who nominated them, for each registration
    assert _states(db) == {MessageState.QUEUED: 100}
    first = db.session.scalars(select(Message).order_by(Message.id)).first()
    assert first.tries == 1 and "cannot reach the mail server" in first.last_error
    assert first.next_try_at > local_now()
    db.session.rollback()

    assert sweep()["sent"] == 0  # not due yet: nothing is tried before its backoff ends
    server = SMTPServer(smtp_port).start()
    try:
        later = local_now() + timedelta(minutes=10)
        totals = sweep(now=later)
        assert totals["sent"] == 100 and totals["failed"] == 0
        assert sweep(now=later + timedelta(hours=2)) == {"sent": 0, "failed": 0, "retry": 0, "skipped": 0}
        received = server.handler.received()
    finally:
        server.stop()
    assert len(received) == 100
    assert len({m["Message-ID"] for m in received}) == 100
    expected = sorted([p.email for p in people] + [partner_user.email] * 50)
    assert sorted(m["To"] for m in received) == expected
    assert _states(db) == {MessageState.SENT: 100}


def _queue_one(db, to: str, **options) -> int:
    message = mail.queue(mail.Mail(to, "Objet", "Corps du message", "fr"), **options)
    db.session.commit()
    return message.id


def test_refused_invalid_and_oversized_fail_with_their_reason_on_the_messages_page(
        smtp_app, db, smtp_server, admin_client):
    smtp_app.config["MAIL_MAX_ATTACHMENT_BYTES"] = 1000
    refused = _queue_one(db, "refused.person@example.test")
    invalid = _queue_one(db, "not an address")
    oversized = _queue_one(db, "big@example.test",
                           attachments=[{"kind": "bytes", "filename": "big.bin", "hex": "00" * 2000}])
    busy = _queue_one(db, "busy.person@example.test")
    fine = _queue_one(db, "fine@example.test",
                      attachments=[{"kind": "bytes", "filename": "note.txt", "content_type": "text/plain",
                                    "hex": b"hello".hex()}])
    db.session.expire_all()
    rows = {m.id: m for m in db.session.scalars(select(Message))}
    assert rows[refused].state == MessageState.FAILED and "550" in rows[refused].last_error
    assert rows[invalid].state == MessageState.FAILED and "invalid address" in rows[invalid].last_error
    assert rows[oversized].state == MessageState.FAILED and "too large" in rows[oversized].last_error
    assert rows[busy].state == MessageState.QUEUED and "451" in rows[busy].last_error
    assert rows[busy].next_try_at is not None
    assert rows[fine].state == MessageState.SENT
    received = smtp_server.handler.received()
    assert [m["To"] for m in received] == ["fine@example.test"]
    assert [part.get_filename() for part in received[0].iter_attachments()] == ["note.txt"]

    page = admin_client.get("/admin/messages?state=failed")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "refused.person@example.test" in text and "550 5.1.1 No such user here" in text
    assert "not an address" in text and "too large" in text
    assert "fine@example.test" not in text


def test_temporary_refusals_give_up_after_the_last_try(smtp_app, db, smtp_server):
    smtp_app.config["MAIL_MAX_TRIES"] = 3
    message_id = _queue_one(db, "busy.again@example.test")
    now = local_now()
    for hours in (1, 2):
        sweep(now=now + timedelta(hours=hours))
    db.session.expire_all()
    message = db.session.get(Message, message_id)
    assert message.state == MessageState.FAILED and message.tries == 3
    assert "gave up after 3 tries" in message.last_error
