"""Reminders to approved participants before their session starts (7 days and 1 day before)."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registrations import mail
from registrations.clock import local_today
from registrations.enrolment.notify import registration_url
from registrations.extensions import db
from registrations.i18n import LANGUAGES
from registrations.models import Participant, Registration, RegistrationState, SessionStatus, TrainingSession

#: Days before the start at which approved participants are reminded.
REMINDER_DAYS = (7, 1)

SUBJECTS = {
    7: _l("In one week: %(title)s"),
    1: _l("Tomorrow: %(title)s"),
}


def queue_reminders(today=None) -> int:
    """Queue the reminders due today; each person gets each reminder once (idempotency key).

    Returns how many messages were recorded; the caller commits.
    """
    today = today or local_today()
    queued = 0
    for days in REMINDER_DAYS:
        rows = db.session.execute(
            select(Registration, Participant, TrainingSession)
            .join(Participant, Participant.id == Registration.participant_id)
            .join(TrainingSession, TrainingSession.id == Registration.session_id)
            .where(TrainingSession.start_date == today + timedelta(days=days),
                   TrainingSession.status.in_((SessionStatus.PUBLISHED, SessionStatus.CLOSED)),
                   Registration.state == RegistrationState.APPROVED,
                   Participant.email.is_not(None), Participant.email != "", Participant.anonymised_at.is_(None))
            .order_by(Registration.id)
        ).all()
        for registration, participant, session in rows:
            locale = participant.locale if participant.locale in LANGUAGES else "fr"
            message = mail.deferred("reminder", participant.email, locale, registration_id=registration.id,
                                    days=days)
            if mail.queue(message, key=f"reminder:{registration.id}:{days}", about=("registration", registration.id),
                          attachments=[{"kind": "ics", "session_id": session.id}]):
                queued += 1
    return queued


def render(context: dict, to: str, locale: str) -> mail.Mail:
    """The text of a reminder, written when it is sent."""
    registration = mail.load(Registration, context["registration_id"])
    session = mail.load(TrainingSession, registration.session_id)
    participant = mail.load(Participant, registration.participant_id)
    days = int(context["days"])
    title = session.localized("title", locale)
    return mail.compose(to, locale, _Subject(days, title), "emails/session_reminder.txt", session=session,
                        title=title, days=days, name=participant.name_latin, url=registration_url(registration))


class _Subject:
    def __init__(self, days: int, title: str):
        self.days, self.title = days, title

    def __str__(self) -> str:
        return str(SUBJECTS[self.days]) % {"title": self.title}
