"""Announcements: one message from the office to the participants of a session, each in their language."""

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from registrations import audit, mail
from registrations.admin.forms import as_choices
from registrations.enrolment.notify import registration_url
from registrations.extensions import db
from registrations.i18n import LANGUAGES
from registrations.models import Participant, Registration, RegistrationState, TrainingSession

#: Who receives an announcement: the form's choice → registration states.
AUDIENCES = {
    "approved": (RegistrationState.APPROVED,),
    "waitlisted": (RegistrationState.WAITLISTED,),
    "both": (RegistrationState.APPROVED, RegistrationState.WAITLISTED),
}


class AnnouncementForm(FlaskForm):
    """Subject and text in French (required) and in any other language (French is the fallback)."""

    audience = SelectField(_l("Recipients"), choices=as_choices([
        ("approved", _l("Approved participants")), ("waitlisted", _l("People on the waiting list")),
        ("both", _l("Approved participants and people on the waiting list"))]), validators=[InputRequired()])
    subject_fr = StringField(_l("Subject (French)"), validators=[InputRequired(), Length(max=200)])
    body_fr = TextAreaField(_l("Text (French)"), validators=[InputRequired(), Length(max=10000)])
    subject_en = StringField(_l("Subject (English)"), validators=[Optional(), Length(max=200)])
    body_en = TextAreaField(_l("Text (English)"), validators=[Optional(), Length(max=10000)])
    subject_vi = StringField(_l("Subject (Vietnamese)"), validators=[Optional(), Length(max=200)])
    body_vi = TextAreaField(_l("Text (Vietnamese)"), validators=[Optional(), Length(max=10000)])
    subject_km = StringField(_l("Subject (Khmer)"), validators=[Optional(), Length(max=200)])
    body_km = TextAreaField(_l("Text (Khmer)"), validators=[Optional(), Length(max=10000)])
    subject_lo = StringField(_l("Subject (Lao)"), validators=[Optional(), Length(max=200)])
    body_lo = TextAreaField(_l("Text (Lao)"), validators=[Optional(), Length(max=10000)])

    def texts(self) -> dict[str, tuple[str, str]]:
        """(subject, text) per language written in full; French is always there."""
        texts = {}
        for locale in LANGUAGES:
            subject = (getattr(self, f"subject_{locale}").data or "").strip()
            body = (getattr(self, f"body_{locale}").data or "").strip()
            if subject and body:
                texts[locale] = (subject, body)
        return texts


def announce(session: TrainingSession, audience: str, texts: dict[str, tuple[str, str]], *, actor=None) -> int:
    """Record one message per person of the audience, in their language (else French); the caller
    commits. Returns how many were recorded."""
    batch = uuid.uuid4().hex
    rows = db.session.execute(
        select(Registration, Participant)
        .join(Participant, Participant.id == Registration.participant_id)
        .where(Registration.session_id == session.id, Registration.state.in_(AUDIENCES[audience]),
               Participant.email.is_not(None), Participant.email != "", Participant.anonymised_at.is_(None))
        .order_by(Registration.id)
    ).all()
    for registration, participant in rows:
        locale = participant.locale if participant.locale in texts else "fr"
        subject, body = texts[locale]
        text = f"{body}\n\n{session.localized('title', locale)}\n{registration_url(registration)}\n"
        mail.queue(mail.Mail(participant.email, subject, text, locale),
                   key=f"announcement:{batch}:{registration.id}", about=("session", session.id))
    audit.record("session.announcement", session, actor=actor,
                 after={"audience": audience, "languages": sorted(texts), "recipients": len(rows)})
    return len(rows)
