"""Outgoing email, written in the recipient's language.

The backend is chosen by `MAIL_BACKEND`: "smtp" sends through the configured server,
"console" writes the message to the application log (development), "memory" keeps it in
`app.extensions["mail_outbox"]` (tests). Messages are sent after the database transaction
that caused them has committed, so nobody is told of a change that was rolled back.
"""

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event

from registrations.extensions import db


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    locale: str


def compose(to: str, locale: str, subject, template: str, **context) -> Mail:
    """Render a message's subject and text body in the given language."""
    with force_locale(locale):
        return Mail(
            to=to,
            subject=str(subject),
            body=render_template(template, **context),
            locale=locale,
        )


def queue(mail: Mail) -> None:
    """Send the message once the current transaction commits (dropped on rollback)."""
    pending = db.session.info.setdefault("pending_mail", [])
    pending.append(mail)


def deliver(mail: Mail) -> None:
    """Send one message now with the configured backend."""
    app = current_app
    backend = app.config["MAIL_BACKEND"]
    if backend == "memory":
        app.extensions.setdefault("mail_outbox", []).append(mail)
        return
    if backend == "console":
        app.logger.info("Mail to %s: %s\n%s", mail.to, mail.subject, mail.body)
        return
    message = EmailMessage()
    message["From"] = app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    with smtplib.SMTP(app.config["MAIL_SERVER"], app.config["MAIL_PORT"], timeout=10) as smtp:
        if app.config["MAIL_USE_TLS"]:
            smtp.starttls()
        if app.config["MAIL_USERNAME"]:
            smtp.login(app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _after_commit(session):
    for mail in session.info.pop("pending_mail", []):
        try:
            deliver(mail)
        except (OSError, smtplib.SMTPException):
            current_app.logger.exception("Could not send mail to %s", mail.to)


def _after_rollback(session):
    session.info.pop("pending_mail", None)


def init_app(app) -> None:
    """Deliver queued messages after each commit; forget them after a rollback."""
    app.extensions.setdefault("mail_outbox", [])
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_rollback", _after_rollback)
