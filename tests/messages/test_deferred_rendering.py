"""Messages are written when they are sent: a registration POST records its message under the
session's lock and renders nothing there; the sending job writes it, once, in the recipient's
language, and keeps what it wrote."""

import pytest
from flask import template_rendered
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, event, select

from registrations import mail
from registrations.messages import outbox as outbox_module
from registrations.models import Message, MessageState, Registration
from tests.registrations.test_partner_pages import FORM


class LockWatch:
    """Counts renderings and compositions, and those made while a row lock is held.

    The lock is seen where the database takes it — `SELECT … FOR UPDATE` (PostgreSQL) or
    `BEGIN IMMEDIATE` (SQLite) — and ends with the connection's commit or rollback.
    """

    def __init__(self):
        self.locked = False
        self.locks = self.renders = self.renders_locked = 0

    def statement(self, conn, cursor, statement, parameters, context, executemany):
        text = " ".join(statement.split()).upper()
        if text.startswith("BEGIN IMMEDIATE") or " FOR UPDATE" in text:
            self.locked = True
            self.locks += 1

    def released(self, conn):
        self.locked = False

    def rendered(self, *args, **kwargs):
        self.renders += 1
        if self.locked:
            self.renders_locked += 1


@pytest.fixture
def watch(app, db, monkeypatch):
    watch = LockWatch()
    engine = db.engine
    event.listen(engine, "before_cursor_execute", watch.statement)
    event.listen(engine, "commit", watch.released)
    event.listen(engine, "rollback", watch.released)
    template_rendered.connect(watch.rendered, app)
    compose = mail.compose

    def counted_compose(*args, **kwargs):
        watch.rendered()
        return compose(*args, **kwargs)

    monkeypatch.setattr(mail, "compose", counted_compose)
    yield watch
    template_rendered.disconnect(watch.rendered, app)
    event.remove(engine, "before_cursor_execute", watch.statement)
    event.remove(engine, "commit", watch.released)
    event.remove(engine, "rollback", watch.released)


def test_a_registration_post_renders_nothing_while_the_session_is_locked(db, partner_kh_client, make_session,
                                                                         outbox, watch):
    session = make_session(auto_approve=True, title_km="វគ្គបណ្តុះបណ្តាល ការគ្រប់គ្រងកន្លែងឧក្រិដ្ឋកម្ម")
    outbox.clear()
    form = {**FORM, "email": "sophea@example.test", "locale": "km", "name_native": "ស្រី ពេជ្រ"}
    response = partner_kh_client.post(f"/sessions/{session.id}/register", data=form)
    assert response.status_code == 302
    assert watch.locks >= 1, "the registration took the session's lock"
    assert watch.renders >= 1, "the message was written (after the commit)"
    assert watch.renders_locked == 0, "a template was rendered while the session's lock was held"

    registration = db.session.scalar(select(Registration))
    with force_locale("km"):
        subject = _("Registration approved: %(title)s", title=session.title_km)
    assert [(m.to, m.subject, m.locale) for m in outbox] == [("sophea@example.test", subject, "km")]
    assert registration.personal_code in outbox[0].body
    message = db.session.scalar(select(Message))
    assert (message.kind, message.state, message.subject) == ("registration", MessageState.SENT, subject)
    assert message.rendered_at is not None and registration.personal_code in message.body

    # The sweep (or a job run twice) sends nothing again.
    outbox_module.sweep()
    assert len(outbox) == 1


def test_a_message_not_written_yet_is_listed_by_its_kind_and_sent_again_as_such(db, admin_client, partner_user,
                                                                                 monkeypatch, outbox):
    monkeypatch.setattr(outbox_module, "enqueue_sending", lambda ids: None)  # the worker is away
    queued = mail.queue(mail.deferred("password_reset", partner_user.email, "vi", user_id=partner_user.id,
                                      purpose="reset", link="http://localhost/account/reset/abc"),
                        user_id=partner_user.id)
    db.session.commit()
    assert (queued.subject, queued.body, queued.rendered_at) == ("", "", None)
    admin_client.set_cookie("lang", "en")
    page = admin_client.get("/admin/messages").get_data(as_text=True)
    assert "Password reset link" in page and "written when it is sent" in page

    assert admin_client.post(f"/admin/messages/{queued.id}/send-again").status_code == 302
    copy = db.session.scalars(select(Message).order_by(Message.id.desc())).first()
    assert copy.id != queued.id and copy.kind == "password_reset" and copy.rendered_at is None

    assert outbox_module.sweep()["sent"] == 2
    with force_locale("vi"):
        subject = _("Choose a new password")
    assert [m.subject for m in outbox] == [subject, subject]
    assert all("http://localhost/account/reset/abc" in m.body for m in outbox)
    db.session.expire_all()
    assert db.session.get(Message, queued.id).subject == subject


def test_a_message_whose_object_is_gone_fails_with_its_reason(db, make_session, make_registration, monkeypatch,
                                                               outbox):
    monkeypatch.setattr(outbox_module, "enqueue_sending", lambda ids: None)
    registration = make_registration(make_session())
    queued = mail.queue(mail.deferred("registration", "gone@example.test", "fr", registration_id=registration.id,
                                      event="approved"))
    db.session.commit()
    db.session.execute(delete(Registration).where(Registration.id == registration.id))
    db.session.commit()
    assert outbox_module.sweep()["failed"] == 1
    db.session.expire_all()
    failed = db.session.get(Message, queued.id)
    assert failed.state == MessageState.FAILED and "no longer exists" in failed.last_error
    assert outbox == []


def test_an_unknown_kind_is_refused_when_recorded():
    with pytest.raises(ValueError):
        mail.deferred("nonsense", "a@example.test", "fr")
