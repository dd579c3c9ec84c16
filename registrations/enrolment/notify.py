"""Emails telling participants (and the colleague who nominated them) what happened."""

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from registrations import mail
from registrations.extensions import db
from registrations.i18n import LANGUAGES
from registrations.models import Participant, Registration, Role, TrainingSession, User

#: Subject of each event's message; %(title)s is the session's title in the reader's language.
SUBJECTS = {
    "pending": _l("Registration received: %(title)s"),
    "approved": _l("Registration approved: %(title)s"),
    "waitlisted": _l("On the waiting list: %(title)s"),
    "rejected": _l("Registration not accepted: %(title)s"),
    "cancelled": _l("Registration cancelled: %(title)s"),
    "offered": _l("A seat is offered to you: %(title)s"),
    "cancel_requested": _l("Cancellation requested: %(title)s"),
    "cancel_refused": _l("Cancellation request refused: %(title)s"),
}


def registration_url(registration: Registration) -> str:
    """Absolute address of the registration's page (works without a request, e.g. in the CLI)."""
    path = current_app.url_map.bind("localhost").build(
        "registrations.detail", {"registration_id": registration.id})
    return current_app.config["PUBLIC_BASE_URL"] + path


def _locale(value: str | None) -> str:
    return value if value in LANGUAGES else "fr"


def state_changed(registration: Registration, session: TrainingSession, participant: Participant,
                  event: str, reason: str = "") -> None:
    """Queue the message of one event (a state, or "offered") to the people concerned.

    Recorded in the outbox with the change (nothing rendered: this runs under the session's
    lock; the row is written by the service's flush), written and sent after commit, in each
    recipient's language (`render`).
    """
    recipients = []
    if participant.email:
        recipients.append((participant.email, _locale(participant.locale), None))
    if registration.nominated and registration.created_by_id:
        nominator = db.session.get(User, registration.created_by_id)
        if (nominator is not None and nominator.role == Role.PARTNER and nominator.email
                and nominator.email != participant.email):
            recipients.append((nominator.email, _locale(nominator.locale or participant.locale), nominator.id))
    for address, locale, user_id in recipients:
        mail.queue(mail.deferred("registration", address, locale, registration_id=registration.id, event=event,
                                 reason=reason, for_nominator=address != participant.email),
                   about=("registration", registration.id), user_id=user_id, flush=False)


def render(context: dict, to: str, locale: str) -> mail.Mail:
    """The text of a registration's message (kind "registration"), written when it is sent."""
    registration = mail.load(Registration, context["registration_id"])
    session = mail.load(TrainingSession, registration.session_id)
    participant = mail.load(Participant, registration.participant_id)
    event = context["event"]
    with force_locale(locale):
        title = session.localized("title", locale)
        return mail.compose(
            to, locale, str(SUBJECTS[event]) % {"title": title}, "emails/registration_changed.txt",
            event=event, session=session, title=title, participant=participant,
            registration=registration, reason=context.get("reason", ""), url=registration_url(registration),
            for_nominator=context.get("for_nominator", False),
        )
