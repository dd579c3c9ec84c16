"""The rules of certificates: who is eligible, issuing, revoking and re-issuing.

Eligible: an approved registration whose attendance rate reaches the session's threshold,
in a session that is completed or has ended. Each action flushes one unit of work (the caller
commits it through `registrations.transaction.run`) that writes an audit event; serial numbers
are allocated per prefix and year without duplicates (the session row is locked, and a serial
taken meanwhile by another session of the same prefix is retried). The PDFs are drawn by a job
enqueued once that transaction has committed, and stored (see `_render_after_commit`).
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from registrations import audit
from registrations.attendance.rates import AttendanceSummary, attendance_summaries
from registrations.certificates.facts import build_facts
from registrations.certificates.mailing import queue_certificate_mail
from registrations.certificates.storage import prepare_pdfs
from registrations.clock import local_today
from registrations.credentials.badges import sign_badge
from registrations.credentials.keys import KeysUnavailable
from registrations.credentials.pdf_keys import PdfSigningUnavailable, ensure_available
from registrations.credentials.status import IndexAllocator
from registrations.credentials.tokens import sign_certificate
from registrations.extensions import db
from registrations.locking import lock_row
from registrations.models import (
    Agency,
    Certificate,
    CertificateStatus,
    Participant,
    Registration,
    RegistrationState,
    SessionStatus,
    TrainingSession,
    utcnow,
)
from registrations.sessions.services import serial_prefix_for
from registrations.signals import certificate_issued, certificate_revoked

#: Attempts to allocate a serial before giving up (each retry follows a concurrent issue).
SERIAL_ATTEMPTS = 8
_PREFIX_CHARS = re.compile(r"[^A-Z0-9]")


class CertificateError(Exception):
    """A certificate rule refused an action; `message` is translated, `status` is the HTTP code."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


@dataclass
class Candidate:
    """One registration of a session as the certificates page sees it."""

    registration: Registration
    participant: Participant
    agency: Agency
    summary: AttendanceSummary
    reasons: list = field(default_factory=list)
    #: The registration's valid certificate, if one was issued.
    certificate: Certificate | None = None

    @property
    def eligible(self) -> bool:
        return not self.reasons


@dataclass
class SessionCertificates:
    """Everything the certificates page of a session shows."""

    session: TrainingSession
    #: Eligible registrations without a valid certificate yet.
    eligible: list[Candidate]
    #: Registrations that may not receive one, each with its reasons.
    not_eligible: list[Candidate]
    #: Every certificate of the session (valid, revoked, superseded), newest first.
    certificates: list[Certificate]
    #: Participant of each certificate's registration, by registration id.
    people: dict[int, Participant]


def session_has_ended(session: TrainingSession, today: date | None = None) -> bool:
    """Completed by the office, or past its last day (and not cancelled)."""
    if session.status == SessionStatus.CANCELLED:
        return False
    return session.status == SessionStatus.COMPLETED or session.end_date < (today or local_today())


def reasons_not_eligible(session: TrainingSession, registration: Registration,
                         summary: AttendanceSummary, today: date | None = None) -> list:
    """Why a registration may not receive a certificate (an empty list when it may)."""
    reasons = []
    if registration.state != RegistrationState.APPROVED:
        reasons.append(_l("Registration not approved (%(state)s).", state=registration.state.label))
    if session.status == SessionStatus.CANCELLED:
        reasons.append(_l("The session was cancelled."))
    elif not session_has_ended(session, today):
        reasons.append(_l("The session has not ended yet."))
    if not summary.reaches(session.attendance_threshold):
        reasons.append(_l("Attendance %(rate)d %% is below the threshold of %(threshold)d %%.",
                          rate=summary.percent, threshold=session.attendance_threshold))
    return reasons


def _registrations_of(session_id: int, registration_ids=None) -> list[tuple]:
    """(registration, participant, agency) rows of a session, in one query, by name."""
    query = (
        select(Registration, Participant, Agency)
        .join(Participant, Participant.id == Registration.participant_id)
        .join(Agency, Agency.id == Registration.agency_id)
        .where(Registration.session_id == session_id)
        .order_by(Participant.name_key, Registration.id)
    )
    if registration_ids is not None:
        query = query.where(Registration.id.in_(list(registration_ids)))
    return list(db.session.execute(query).all())


def _valid_certificates(registration_ids) -> dict[int, Certificate]:
    if not registration_ids:
        return {}
    rows = db.session.scalars(
        select(Certificate).where(Certificate.registration_id.in_(list(registration_ids)),
                                  Certificate.status == CertificateStatus.VALID)
    )
    return {certificate.registration_id: certificate for certificate in rows}


def candidates(session: TrainingSession, registration_ids=None, today: date | None = None) -> list[Candidate]:
    """Each registration of a session with its attendance, eligibility and valid certificate.

    A fixed number of queries whatever the number of registrations.
    """
    rows = _registrations_of(session.id, registration_ids)
    ids = [registration.id for registration, _p, _a in rows]
    summaries = attendance_summaries(session, ids, today=today) if ids else {}
    valid = _valid_certificates(ids)
    return [
        Candidate(registration, participant, agency, summaries[registration.id],
                  reasons_not_eligible(session, registration, summaries[registration.id], today),
                  valid.get(registration.id))
        for registration, participant, agency in rows
    ]


def session_certificates(session: TrainingSession, today: date | None = None) -> SessionCertificates:
    """The certificates page of a session: eligible, not eligible and why, issued."""
    people = candidates(session, today=today)
    issuer = aliased(Registration)
    certificates = list(db.session.scalars(
        select(Certificate).join(issuer, issuer.id == Certificate.registration_id)
        .where(issuer.session_id == session.id).order_by(Certificate.id.desc())
    ))
    return SessionCertificates(
        session=session,
        eligible=[c for c in people if c.eligible and c.certificate is None],
        not_eligible=[c for c in people if not c.eligible],
        certificates=certificates,
        people={c.registration.id: c.participant for c in people},
    )


# ---------------------------------------------------------------- serials

def serial_prefix(session: TrainingSession) -> str:
    """The session's serial prefix, or the code of its city ("Hà Nội" → "HAN", "Phnom Penh" → "PNH")."""
    prefix = _PREFIX_CHARS.sub("", (session.serial_prefix or "").upper())
    if not prefix:
        prefix = _PREFIX_CHARS.sub("", serial_prefix_for(session.city, session.country).upper())
    return prefix[:8] or "CERT"


def last_sequence(prefix: str, year: int) -> int:
    """The highest sequence number used so far for a prefix and year (0 when none)."""
    start = f"{prefix}-{year}-"
    serials = db.session.scalars(
        select(Certificate.serial).where(Certificate.serial.like(start + "%"))
        .order_by(func.length(Certificate.serial).desc(), Certificate.serial.desc()).limit(5)
    )
    numbers = [int(s[len(start):]) for s in serials if s[len(start):].isdigit()]
    return max(numbers, default=0)


def new_code() -> str:
    """A random verification code: 192 bits, URL-safe."""
    return secrets.token_urlsafe(24)


# ---------------------------------------------------------------- issuing

def _create(session: TrainingSession, items: list[Candidate], actor, today: date,
            action: str = "certificate.issue", reason: str = "") -> list[Certificate]:
    """Insert one certificate per candidate, with consecutive serials (no PDF yet: `_store_pdfs`)."""
    if items:
        _check_pdf_signing()
    prefix, year = serial_prefix(session), today.year
    sequence = last_sequence(prefix, year) + 1
    created = []
    indexes = IndexAllocator() if items else None
    for item in items:
        for _attempt in range(SERIAL_ATTEMPTS):
            serial, code = f"{prefix}-{year}-{sequence:04d}", new_code()
            snapshot = build_facts(session=session, participant=item.participant, agency=item.agency,
                                   summary=item.summary, serial=serial, code=code, issue_date=today,
                                   registration_id=item.registration.id)
            status_index = indexes.draw()
            snapshot["credential"] = _signed(sign_certificate, snapshot, code=code, country=session.country,
                                             status_index=status_index)
            snapshot["open_badge"] = _signed(sign_badge, snapshot, code=code, status_index=status_index,
                                             issued_at=utcnow().isoformat(timespec="seconds"),
                                             issuer_name=snapshot["issuer_name"])
            certificate = Certificate(registration_id=item.registration.id, serial=serial, code=code,
                                      status=CertificateStatus.VALID, facts=snapshot, locale=snapshot["locale"],
                                      issued_at=utcnow(), issued_by_id=getattr(actor, "id", None),
                                      status_index=status_index)
            try:
                with db.session.begin_nested():
                    db.session.add(certificate)
            except IntegrityError:
                # Another session with the same prefix took this serial (or another issue this
                # status index) meanwhile.
                sequence = last_sequence(prefix, year) + 1
                continue
            sequence += 1
            break
        else:
            raise CertificateError(_("No serial number could be allocated. Please try again."), 409)
        audit.record(action, certificate, actor=actor, reason=reason,
                     after={"serial": serial, "registration_id": item.registration.id, "status": "valid"})
        certificate_issued.send(certificate, actor=actor)
        created.append(certificate)
        if session.email_certificates:
            queue_certificate_mail(item.participant, certificate)
    return created


def _signed(signer, snapshot: dict, **reference) -> str:
    """A signed credential of a certificate about to be issued: the QR code's token, the Open Badge."""
    try:
        return signer(snapshot, **reference)
    except KeysUnavailable as error:
        raise CertificateError(_("Certificates cannot be signed: the office's signing key is not set up."),
                               503) from error


def _check_pdf_signing() -> None:
    """Refuse to issue when the PDFs could not be signed (production without a PDF signing
    certificate): said now, to the organiser, rather than by a job that fails unseen."""
    try:
        ensure_available()
    except PdfSigningUnavailable as error:
        raise CertificateError(_("Certificates cannot be signed: the office's PDF signing certificate is "
                                 "not set up."), 503) from error


def _render_after_commit(created: list[Certificate], session_id: int) -> None:
    """Once the issued certificates are committed, have a job draw their PDFs once and store them.

    Drawing happens in the job worker, after the commit: the session's lock is held only for the
    short database work, and the request answers at once; the certificates page shows the
    progress. Until a PDF is stored, its download draws it. Nothing is enqueued when the
    transaction rolls back.
    """
    if created:
        prepare_pdfs(session_id)


def _lock_session_of(registration_id: int) -> tuple[TrainingSession, Registration]:
    """Lock the session of a registration (serialising its certificate actions)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise CertificateError(_("This registration does not exist."), 404)
    session = lock_row(TrainingSession, registration.session_id)
    return session, registration


def _eligible_candidate(session: TrainingSession, registration_id: int, today: date) -> Candidate:
    found = candidates(session, [registration_id], today=today)
    if not found:
        raise CertificateError(_("This registration does not exist."), 404)
    candidate = found[0]
    if not candidate.eligible:
        raise CertificateError(
            _("No certificate for this registration: %(reasons)s",
              reasons=" ".join(str(reason) for reason in candidate.reasons)), 409)
    return candidate


def issue(registration_id: int, actor=None, today: date | None = None) -> tuple[Certificate, bool]:
    """Issue the certificate of one eligible registration.

    Returns (certificate, created): issuing twice returns the valid certificate already issued.
    """
    today = today or local_today()
    session, _registration = _lock_session_of(registration_id)
    candidate = _eligible_candidate(session, registration_id, today)
    if candidate.certificate is not None:
        return candidate.certificate, False
    certificate = _create(session, [candidate], actor, today)[0]
    _render_after_commit([certificate], session.id)
    return certificate, True


def issue_all(session_id: int, actor=None, today: date | None = None) -> list[Certificate]:
    """Issue the certificates of every eligible registration of a session that has none yet."""
    today = today or local_today()
    session = lock_row(TrainingSession, session_id)
    if session is None:
        raise CertificateError(_("This session does not exist."), 404)
    if not session_has_ended(session, today):
        raise CertificateError(_("Certificates are issued once the session has ended."), 409)
    pending = [c for c in candidates(session, today=today) if c.eligible and c.certificate is None]
    created = _create(session, pending, actor, today)
    _render_after_commit(created, session.id)
    return created


def revoke(certificate_id: int, reason: str, actor=None) -> Certificate:
    """Revoke a valid certificate; the reason is shown on its public verification page."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Give the reason for the revocation."), 400)
    certificate = lock_row(Certificate, certificate_id)
    if certificate is None:
        raise CertificateError(_("This certificate does not exist."), 404)
    if certificate.status != CertificateStatus.VALID:
        raise CertificateError(_("Only a valid certificate can be revoked."), 409)
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = utcnow()
    certificate.revoked_by_id = getattr(actor, "id", None)
    certificate.revoke_reason = reason
    audit.record("certificate.revoke", certificate, actor=actor, reason=reason,
                 before={"status": "valid"}, after={"status": "revoked"})
    certificate_revoked.send(certificate, actor=actor, reason=reason)
    return certificate


def reissue(certificate_id: int, actor=None, reason: str = "", today: date | None = None) -> Certificate:
    """Replace a valid certificate after a correction: new serial, new code, current facts.

    The old certificate becomes "superseded"; its public page says so without pointing to
    the new one.
    """
    today = today or local_today()
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        raise CertificateError(_("This certificate does not exist."), 404)
    session, _registration = _lock_session_of(certificate.registration_id)
    old = db.session.scalar(select(Certificate).where(Certificate.id == certificate_id)
                            .execution_options(populate_existing=True))
    if old.status != CertificateStatus.VALID:
        raise CertificateError(_("Only a valid certificate can be re-issued."), 409)
    candidate = _eligible_candidate(session, old.registration_id, today)
    old.status = CertificateStatus.SUPERSEDED
    db.session.flush()  # one valid certificate per registration: retire the old one first
    new = _create(session, [candidate], actor, today, action="certificate.reissue", reason=reason)[0]
    old.superseded_by_id = new.id
    audit.record("certificate.supersede", old, actor=actor, reason=reason,
                 before={"status": "valid"}, after={"status": "superseded", "superseded_by": new.serial})
    _render_after_commit([new], session.id)
    return new


def set_email_certificates(session: TrainingSession, chosen: bool, *, actor=None) -> None:
    """Choose whether the session's certificates are e-mailed to their holders when issued (audited)."""
    if session.email_certificates == chosen:
        return
    audit.record("session.email_certificates", session, actor=actor,
                 before={"email_certificates": session.email_certificates}, after={"email_certificates": chosen})
    session.email_certificates = chosen
