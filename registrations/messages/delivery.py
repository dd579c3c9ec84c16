"""Turning an outbox row into an email and handing it to the configured backend.

Failures are sorted into the two kinds the outbox acts on: `TemporaryFailure` (the server is down
or answers 4xx: try again later) and `PermanentFailure` (5xx, an invalid address, an attachment
too large: no point in trying again). Each keeps the server's answer as the reason.
"""

import hashlib
import json
import smtplib
import sys
from contextlib import contextmanager
from email.message import EmailMessage
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale

from registrations.extensions import db


class PermanentFailure(Exception):
    """The message cannot be delivered as it is; the reason is kept on the row."""


class TemporaryFailure(Exception):
    """The message may go through later; `connection_lost` when the connection must be reopened."""

    def __init__(self, reason: str, connection_lost: bool = False):
        super().__init__(reason)
        self.connection_lost = connection_lost


def _ics(ref: dict) -> tuple[str, str, bytes]:
    from registrations.models import TrainingSession
    from registrations.sessions.calendar import session_calendar

    session = db.session.get(TrainingSession, int(ref["session_id"]))
    if session is None:
        raise PermanentFailure("attachment: the session no longer exists")
    return f"session-{session.id}.ics", "text/calendar", session_calendar(session)


def _certificate(ref: dict) -> tuple[str, str, bytes]:
    from registrations.certificates.facts import render, signed
    from registrations.models import Certificate

    certificate = db.session.get(Certificate, int(ref["certificate_id"]))
    if certificate is None:
        raise PermanentFailure("attachment: the certificate no longer exists")
    data = signed(certificate.pdf) if certificate.pdf is not None else render(certificate.facts)
    return f"{certificate.serial}.pdf", "application/pdf", data


def _bytes(ref: dict) -> tuple[str, str, bytes]:
    """A small document given inline (hex), e.g. by a test or an announcement."""
    return ref["filename"], ref.get("content_type", "application/octet-stream"), bytes.fromhex(ref["hex"])


#: Builders of attachments by their reference's kind.
ATTACHMENTS = {"ics": _ics, "certificate": _certificate, "bytes": _bytes}


def attachments_of(message) -> list[tuple[str, str, bytes]]:
    """The message's attachments as (filename, content type, bytes), within the size limit."""
    if not message.attachments:
        return []
    files = []
    with force_locale(message.language or "fr"):
        for ref in json.loads(message.attachments):
            builder = ATTACHMENTS.get(ref.get("kind"))
            if builder is None:
                raise PermanentFailure(f"attachment: unknown kind {ref.get('kind')!r}")
            files.append(builder(ref))
    limit = current_app.config["MAIL_MAX_ATTACHMENT_BYTES"]
    total = sum(len(data) for _, _, data in files)
    if total > limit:
        raise PermanentFailure(f"attachments too large: {total} bytes, at most {limit} allowed")
    return files


def message_id(message) -> str:
    """A Message-ID derived from the idempotency key: a re-sent row carries the same one."""
    host = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"
    return f"<{hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32]}@{host}>"


def build(message) -> EmailMessage:
    """The email of an outbox row; PermanentFailure for an invalid address or oversized files."""
    try:
        validate_email(message.recipient, check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise PermanentFailure(f"invalid address {message.recipient!r}: {error}") from error
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = message_id(message)
    email["Content-Language"] = message.language or "fr"
    email.set_content(message.body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    for filename, content_type, data in attachments_of(message):
        maintype, _, subtype = content_type.partition("/")
        email.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return email


class _SMTPConnection:
    """One SMTP connection for a batch, opened at the first message and reopened after a loss."""

    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        config = self.config
        try:
            smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except smtplib.SMTPResponseException as error:
            raise _classify(error.smtp_code, error.smtp_error, connection_lost=True) from error
        except (OSError, smtplib.SMTPException) as error:
            raise TemporaryFailure(f"cannot reach the mail server: {error}", connection_lost=True) from error
        return smtp

    def send(self, email: EmailMessage, message) -> None:
        if self.smtp is None:
            self.smtp = self._open()
        try:
            refused = self.smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            code, answer = next(iter(error.recipients.values()))
            raise _classify(code, answer) from error
        except smtplib.SMTPResponseException as error:  # sender refused, data refused
            raise _classify(error.smtp_code, error.smtp_error) from error
        except (OSError, smtplib.SMTPException) as error:
            self.reset()
            raise TemporaryFailure(f"connection to the mail server lost: {error}", connection_lost=True) from error
        if refused:
            code, answer = next(iter(refused.values()))
            raise _classify(code, answer)

    def reset(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def _classify(code: int, answer, connection_lost: bool = False) -> Exception:
    text = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
    reason = f"refused by the mail server: {code} {text}"
    if 400 <= code < 500:
        return TemporaryFailure(reason, connection_lost=connection_lost)
    return PermanentFailure(reason)


class _ConsoleConnection:
    """Development: print each message where the person running the app looks."""

    def send(self, email: EmailMessage, message) -> None:
        lines = ["", "=" * 72, f"Mail to: {message.recipient}", f"Subject: {message.subject}",
                 f"Language: {message.language}", "-" * 72, message.body.rstrip()]
        for part in email.iter_attachments():
            lines.append(f"[attachment: {part.get_filename()}]")
        lines.append("=" * 72)
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()

    def reset(self) -> None:
        pass


class _MemoryConnection:
    """Tests: keep each message in `app.extensions["mail_outbox"]`."""

    def send(self, email: EmailMessage, message) -> None:
        from registrations.mail import Mail

        files = tuple((part.get_filename(), part.get_content_type(), part.get_content())
                      for part in email.iter_attachments())
        current_app.extensions.setdefault("mail_outbox", []).append(
            Mail(to=message.recipient, subject=message.subject, body=message.body, locale=message.language,
                 html=message.html_body, attachments=files))

    def reset(self) -> None:
        pass


@contextmanager
def connection():
    """A connection of the configured backend for one batch of messages."""
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        yield _MemoryConnection()
    elif backend == "console":
        yield _ConsoleConnection()
    else:
        smtp = _SMTPConnection(current_app.config)
        try:
            yield smtp
        finally:
            smtp.reset()
