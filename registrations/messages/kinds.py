"""The kinds of messages written when they are sent, and where each one's text is rendered.

A change that causes an email records a `Message` row with its kind and the plain values its
text is made from (`mail.deferred`), inside the change's transaction — which may hold a
session's lock — and renders nothing there. The sending job (`outbox.send_batch`) calls
`render_into` first: the kind's renderer reads the objects by their ids, renders subject and body
in the recipient's language, and the row keeps what was rendered (the Messages page shows it).
"""

import json
from importlib import import_module

from flask_babel import lazy_gettext as _l

from registrations.clock import local_now
from registrations.mail import Gone

#: kind → "module:function" rendering it: function(context, to, locale) → mail.Mail.
RENDERERS = {
    "registration": "registrations.enrolment.notify:render",
    "invitation": "registrations.auth.invitations:render",
    "password_reset": "registrations.auth.invitations:render",
    "session_cancelled": "registrations.sessions.lifecycle:render_cancellation",
    "reminder": "registrations.messages.reminders:render",
    "certificate": "registrations.certificates.mailing:render",
}

#: What the Messages pages show as the subject of a message not written yet.
LABELS = {
    "registration": _l("Registration"),
    "invitation": _l("Invitation"),
    "password_reset": _l("Password reset link"),
    "session_cancelled": _l("Session cancelled"),
    "reminder": _l("Reminder"),
    "certificate": _l("Certificate"),
}


def renderer(kind: str):
    """The function rendering messages of this kind."""
    module, _, name = RENDERERS[kind].partition(":")
    return getattr(import_module(module), name)


def render_into(message) -> None:
    """Write the subject, body and HTML body of a message of a kind, in its language.

    Raises Gone when an object it is made from was deleted; the caller commits.
    """
    if message.kind not in RENDERERS:
        raise Gone(f"unknown kind of message {message.kind!r}")
    mail = renderer(message.kind)(json.loads(message.context or "{}"), message.recipient, message.language)
    message.subject = mail.subject[:500]
    message.body = mail.body
    message.html_body = mail.html
    message.rendered_at = local_now()


def label(message) -> str:
    """What to show as the subject: the subject once written, else the kind's name."""
    if message.rendered_at is not None or not message.kind:
        return message.subject
    return str(LABELS.get(message.kind, message.kind))
