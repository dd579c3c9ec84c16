"""The nightly purge: bodies of old sent messages emptied; messages to anonymised people erased."""

from datetime import timedelta

from sqlalchemy import select, update

from registrations import mail
from registrations.admin.personal_data import anonymise
from registrations.clock import local_now
from registrations.models import Message
from registrations.tasks import daily_purge


def test_the_purge_empties_old_sent_messages_and_keeps_their_record(db, outbox):
    old = mail.queue(mail.Mail("old@example.test", "Ancien", "Texte ancien", "fr")).id
    recent = mail.queue(mail.Mail("new@example.test", "Récent", "Texte récent", "fr")).id
    db.session.commit()
    db.session.execute(update(Message).where(Message.id == old).values(sent_at=local_now() - timedelta(days=100)))
    db.session.commit()
    result = daily_purge.call_local()
    assert result["message_bodies_emptied"] == 1
    db.session.expire_all()
    kept = db.session.get(Message, old)
    assert kept.body == "" and kept.recipient == "old@example.test" and kept.subject == "Ancien"
    assert db.session.get(Message, recent).body == "Texte récent"


def test_anonymising_a_person_erases_the_messages_sent_to_them(db, make_participant, outbox):
    person = make_participant(email="huong@example.test")
    mail.queue(mail.Mail("huong@example.test", "Inscription", "Bonjour Huong", "fr"))
    db.session.commit()
    anonymise([person.id])
    db.session.expire_all()
    message = db.session.scalar(select(Message))
    assert (message.recipient, message.subject, message.body) == ("", "", "")
