"""The message carrying a certificate to its holder (a per-session choice), written when sent."""

from flask_babel import gettext as _

from registrations import mail
from registrations.certificates.facts import verify_url
from registrations.i18n import LANGUAGES
from registrations.models import Certificate, Participant, Registration, TrainingSession


def queue_certificate_mail(participant: Participant, certificate: Certificate) -> None:
    """Record the message carrying the certificate (written, and its PDF attached, when it is sent)."""
    if not participant.email or participant.anonymised_at is not None:
        return
    locale = participant.locale if participant.locale in LANGUAGES else "fr"
    mail.queue(mail.deferred("certificate", participant.email, locale, certificate_id=certificate.id),
               key=f"certificate:{certificate.id}", about=("certificate", certificate.id),
               attachments=[{"kind": "certificate", "certificate_id": certificate.id}])


def render(context: dict, to: str, locale: str) -> mail.Mail:
    """The text of the certificate's message, in the holder's language."""
    certificate = mail.load(Certificate, context["certificate_id"])
    registration = mail.load(Registration, certificate.registration_id)
    session = mail.load(TrainingSession, registration.session_id)
    participant = mail.load(Participant, registration.participant_id)
    title = session.localized("title", locale)
    return mail.compose(
        to, locale, _Subject(title), "emails/certificate_issued.txt", name=participant.name_latin, title=title,
        session=session, serial=certificate.serial, verify_url=verify_url(certificate.code))


class _Subject:
    """The subject, translated when the message is composed in the holder's language."""

    def __init__(self, title: str):
        self.title = title

    def __str__(self) -> str:
        return _("Your certificate: %(title)s", title=self.title)
