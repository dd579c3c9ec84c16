"""Invitation letters for approved participants of a session held abroad (visa, travel permit).

A letter's verification code is the registration id signed with the application's secret
key (nothing to store): anyone can check it at /verify/<code>, which shows whether the
invitation still stands (the registration approved, the session not cancelled). Rotating the
secret key invalidates the codes of letters already printed.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from registrations.attendance import signing
from registrations.certificates.facts import country_name, kind_label, verify_url
from registrations.certificates.services import CertificateError
from registrations.clock import local_today
from registrations.credentials.pdf_keys import sign_document
from registrations.extensions import db
from registrations.models import (
    Agency,
    Participant,
    Registration,
    RegistrationState,
    SessionStatus,
    TrainingSession,
)

if TYPE_CHECKING:
    from registrations.documents import InvitationLetter

_SALT = "invitation-letter"


@dataclass
class Invitation:
    """A registration with what an invitation letter and its verification page show."""

    registration: Registration
    participant: Participant
    agency: Agency
    session: TrainingSession

    @property
    def abroad(self) -> bool:
        """The session is held in another country than the participant's agency's."""
        return self.session.held_abroad_for(self.agency.country)

    @property
    def stands(self) -> bool:
        """Whether a letter may be issued, or one already issued still holds."""
        return (self.registration.state == RegistrationState.APPROVED and self.abroad
                and self.session.status != SessionStatus.CANCELLED)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def invitation_code(registration_id: int) -> str:
    """The verification code printed on a registration's invitation letter."""
    return _serializer().dumps(registration_id)


def registration_id_for(code: str) -> int | None:
    """The registration id a code was signed for, or None for a forged or mistyped code."""
    try:
        value = _serializer().loads(code)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def load_invitation(registration_id: int) -> Invitation | None:
    """The registration with its participant, agency and session, in one query."""
    row = db.session.execute(
        select(Registration, Participant, Agency, TrainingSession)
        .join(Participant, Participant.id == Registration.participant_id)
        .join(Agency, Agency.id == Registration.agency_id)
        .join(TrainingSession, TrainingSession.id == Registration.session_id)
        .where(Registration.id == registration_id)
    ).first()
    return Invitation(*row) if row else None


def check_invitation(invitation: Invitation) -> None:
    """Refuse a letter unless the registration is approved for a session abroad that holds."""
    if invitation.registration.state != RegistrationState.APPROVED:
        raise CertificateError(_("An invitation letter is only given for an approved registration."), 409)
    if not invitation.abroad:
        raise CertificateError(
            _("An invitation letter is only given for a session held outside the participant's country."), 409)
    if invitation.session.status == SessionStatus.CANCELLED:
        raise CertificateError(_("The session was cancelled."), 409)


def letter_for(invitation: Invitation, today: date | None = None) -> "InvitationLetter":
    """The facts printed on the invitation letter (French and English)."""
    session, participant, agency = invitation.session, invitation.participant, invitation.agency
    from registrations.documents import InvitationLetter
    from registrations.signatories.services import image_path, signatory_for

    code = invitation_code(invitation.registration.id)
    signatory = signatory_for(session)
    return InvitationLetter(
        participant_name_latin=participant.name_latin,
        participant_name_native=participant.name_native or "",
        rank=participant.rank or "",
        agency_name=agency.name,
        agency_country_fr=country_name(agency.country, "fr"),
        agency_country_en=country_name(agency.country, "en"),
        session_title_fr=session.title_fr,
        session_title_en=session.title_en or session.title_fr,
        session_kind_fr=kind_label(session, "fr"),
        session_kind_en=kind_label(session, "en"),
        city=session.city,
        country_name_fr=country_name(session.country, "fr"),
        country_name_en=country_name(session.country, "en"),
        start_date=session.start_date,
        end_date=session.end_date,
        letter_date=today or local_today(),
        verification_code=code,
        signatory_name=signatory.name,
        signatory_title=signatory.title("fr"),
        signatory_title_en=signatory.title("en"),
        signature_path=image_path(signatory.signature_file),
        stamp_path=image_path(signatory.stamp_file),
        verify_url=verify_url(code),
        **_checkin(invitation.registration),
    )


def _checkin(registration) -> dict[str, str]:
    """The signed check-in QR and the personal code printed on the letter (approved registrations)."""
    if registration.state != RegistrationState.APPROVED or not registration.personal_code:
        return {}
    return {"checkin_qr": signing.sign(registration.session_id, registration.personal_code),
            "checkin_code": registration.personal_code}


def letter_reason() -> str:
    """What a PDF reader shows as the reason of a letter's signature (French / English)."""
    with force_locale("fr"):
        french = _("Invitation letter")
    with force_locale("en"):
        return f"{french} / {_('Invitation letter')}"


def render_letter(invitation: Invitation, today: date | None = None) -> bytes:
    """The invitation letter PDF of an approved registration for a session abroad, signed by the
    office (PAdES). Raises `PdfSigningUnavailable` when no signing certificate is configured."""
    check_invitation(invitation)
    from registrations.documents import render_invitation_letter

    return sign_document(render_invitation_letter(letter_for(invitation, today)), letter_reason())
