"""Outgoing email, written in the recipient's language and kept in the outbox.

`deferred(kind, to, locale, **context)` describes a message whose text is written when it is
sent (`registrations/messages/kinds.py` renders each kind); `queue` writes it as a `Message` row
in the current transaction (so it is dropped with a rollback and kept with a commit). Nothing is
rendered in that transaction, which often holds a session's lock: after the commit a job is
enqueued that renders and sends it (see `registrations/messages/outbox.py`, which also retries
and sweeps up lost jobs). `compose` renders a text template in a language (used by the kinds, at
sending time); a `Mail` already written (an announcement) is queued as it is.
The backend is chosen by `MAIL_BACKEND`: "smtp" sends through the configured server, "console"
prints each message to the standard output (development), "memory" keeps it in
`app.extensions["mail_outbox"]` (tests).
"""

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale

from registrations.extensions import db


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    locale: str
    html: str | None = None
    #: (filename, content type, bytes) of each attachment, as delivered (memory backend).
    attachments: tuple = ()


@dataclass(frozen=True)
class Deferred:
    """A message to write when it is sent: its kind and the plain values (ids, a reason, a link)
    its text is made from, JSON-serialisable."""

    kind: str
    to: str
    locale: str
    context: dict


class Gone(Exception):
    """An object a deferred message is made from no longer exists: the message cannot be written."""


def load(model, ident):
    """The row a deferred message is made from (read when it is written), or Gone."""
    row = db.session.get(model, int(ident)) if ident is not None else None
    if row is None:
        raise Gone(f"the {model.__tablename__} #{ident} the message is made from no longer exists")
    return row


def deferred(kind: str, to: str, locale: str, **context) -> Deferred:
    """Describe a message of `kind` (see registrations/messages/kinds.py) without rendering it."""
    from registrations.messages.kinds import RENDERERS

    if kind not in RENDERERS:
        raise ValueError(f"unknown kind of message: {kind!r}")
    return Deferred(kind=kind, to=to, locale=locale, context=context)


def compose(to: str, locale: str, subject, template: str, html_template: str | None = None, **context) -> Mail:
    """Render a message's subject and text body (and optional HTML body) in the given language."""
    with force_locale(locale):
        return Mail(
            to=to,
            subject=str(subject),
            body=render_template(template, **context),
            locale=locale,
            html=render_template(html_template, **context) if html_template else None,
        )


def queue(mail: Mail | Deferred, *, key: str | None = None, about: tuple[str, int] | None = None,
          user_id: int | None = None, attachments: list[dict] | None = None, flush: bool = True):
    """Record the message in the current transaction; it is sent after commit (dropped on rollback).

    `key` identifies the event (one message per key, ever); `about` is the (type, id) of the object
    it concerns; `attachments` are references to documents built when it is sent; with
    `flush=False` the row is written by the transaction's next flush (see `outbox.record`).
    """
    from registrations.messages.outbox import record

    return record(mail, key=key, about=about, user_id=user_id, attachments=attachments, flush=flush)


def init_app(app) -> None:
    """Keep the messages of the memory backend (tests) in `app.extensions["mail_outbox"]`."""
    app.extensions.setdefault("mail_outbox", [])
