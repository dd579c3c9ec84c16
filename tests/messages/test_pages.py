"""Administration → Messages, "send again", and each account's own messages."""

from sqlalchemy import func, select

from registrations import mail
from registrations.models import AuditEvent, Message, MessageState


def _record(db, to: str, subject: str, user_id=None, about=None) -> int:
    message = mail.queue(mail.Mail(to, subject, f"Corps : {subject}", "vi"), user_id=user_id, about=about)
    db.session.commit()
    return message.id


def test_admins_list_filter_and_send_again(db, admin_client, outbox):
    first = _record(db, "huong@example.test", "Inscription acceptée", about=("registration", 7))
    _record(db, "sophea@example.test", "Séance annulée", about=("session", 3))
    page = admin_client.get("/admin/messages")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "huong@example.test" in text and "sophea@example.test" in text
    assert "Registration #7" in text or "#7" in text
    filtered = admin_client.get("/admin/messages?q=HUONG").get_data(as_text=True)
    assert "huong@example.test" in filtered and "sophea@example.test" not in filtered
    assert "sophea@example.test" not in admin_client.get("/admin/messages?q=inscription").get_data(as_text=True)
    assert "huong@example.test" not in admin_client.get("/admin/messages?state=failed").get_data(as_text=True)
    assert admin_client.get("/admin/messages?state=nonsense").status_code == 400

    outbox.clear()
    response = admin_client.post(f"/admin/messages/{first}/send-again")
    assert response.status_code == 302
    assert [m.to for m in outbox] == ["huong@example.test"]
    db.session.expire_all()
    copies = db.session.scalars(select(Message).where(Message.recipient == "huong@example.test")).all()
    assert len(copies) == 2 and {m.state for m in copies} == {MessageState.SENT}
    assert copies[0].idempotency_key != copies[1].idempotency_key
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "message.sent_again")) == 1
    assert admin_client.post("/admin/messages/999999/send-again").status_code == 404
    assert admin_client.post(f"/admin/messages/{first}/send-again", csrf=False).status_code == 400
    assert admin_client.get(f"/admin/messages/{first}/send-again").status_code == 405


def test_only_admins_see_the_outbox(organiser_client, partner_client, client):
    assert organiser_client.get("/admin/messages").status_code == 403
    assert partner_client.get("/admin/messages").status_code == 403
    assert client.get("/admin/messages").status_code == 302


def test_a_partner_sees_the_messages_sent_to_them_only(db, partner_client, partner_user, partner_kh_user):
    _record(db, partner_user.email, "Pour vous", user_id=partner_user.id)
    _record(db, partner_user.email, "À votre adresse")
    _record(db, partner_kh_user.email, "Pour un autre", user_id=partner_kh_user.id)
    page = partner_client.get("/messages")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Pour vous" in text and "À votre adresse" in text and "Corps : Pour vous" in text
    assert "Pour un autre" not in text


def test_an_idempotency_key_records_one_message_per_event(db):
    assert mail.queue(mail.Mail("a@example.test", "Un", "x", "fr"), key="event-1") is not None
    assert mail.queue(mail.Mail("a@example.test", "Un", "x", "fr"), key="event-1") is None
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1


def test_a_rolled_back_change_records_and_sends_nothing(db, outbox):
    mail.queue(mail.Mail("a@example.test", "Un", "x", "fr"))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0
    assert outbox == []


def test_the_console_backend_prints_each_message(app, db, capsys):
    app.config["MAIL_BACKEND"] = "console"
    mail.queue(mail.Mail("invited@example.test", "Invitation", "Choisissez un mot de passe :\n"
                         "http://localhost/account/invitation/abc", "fr"))
    db.session.commit()
    printed = capsys.readouterr().out
    assert "Mail to: invited@example.test" in printed and "Subject: Invitation" in printed
    assert "http://localhost/account/invitation/abc" in printed
    db.session.expire_all()
    assert db.session.scalar(select(Message.state)) == MessageState.SENT
