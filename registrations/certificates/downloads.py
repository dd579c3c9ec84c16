"""Downloads: one certificate, a session's certificates as a ZIP, invitation letters, the
agency's list. A partner only ever reaches their own agency's documents (404 otherwise).
"""

import re
import zipfile

from flask import Response, render_template, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select

from registrations.access import STAFF, allow, may_see_agency, scoped_to_agency
from registrations.certificates import bp
from registrations.certificates.facts import render, signed
from registrations.certificates.invitations import load_invitation, render_letter
from registrations.certificates.services import CertificateError
from registrations.certificates.storage import pdf_progress, prepare_pdfs
from registrations.clock import local_today
from registrations.credentials.pdf_keys import ensure_available
from registrations.errors import abort_with, session_or_404
from registrations.extensions import db
from registrations.formats import PageDates
from registrations.models import (
    Agency,
    Certificate,
    CertificateStatus,
    Participant,
    Registration,
    RegistrationState,
    Role,
    SessionStatus,
    TrainingSession,
)
from registrations.paging import paginate
from registrations.text import fold
from registrations.transaction import run

#: Certificates read from the database at once while a ZIP is streamed.
ZIP_BATCH = 25
_UNSAFE = re.compile(r"[^a-z0-9]+")


def _scoped(query):
    """Restrict a query joined to Registration to what the current user may see."""
    return scoped_to_agency(query, Registration.agency_id)


def _pdf_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _file_name(serial: str, facts: dict) -> str:
    """An ASCII file name: the serial and the participant's Latin name."""
    name = _UNSAFE.sub("-", fold(facts.get("participant_name_latin", ""))).strip("-")
    return f"{serial}-{name}.pdf" if name else f"{serial}.pdf"


#: What a certificate's download reads (columns, not the whole row), with the agency it belongs
#: to, built once: read as a plain row, since building and loading the row cost more than reading it.
_DOWNLOADED = (select(Certificate.status, Certificate.pdf, Certificate.facts, Certificate.serial,
                      Registration.agency_id)
               .join(Registration, Registration.id == Certificate.registration_id)
               .where(Certificate.id == bindparam("certificate_id")))


@bp.get("/certificates/<int:certificate_id>.pdf")
@allow(STAFF, Role.PARTNER)
def download(certificate_id: int):
    """A valid certificate's PDF (stored when issued); revoked or superseded ones are gone (410).
    A partner reaches only their own agency's (404 otherwise, as for no certificate at all)."""
    certificate = db.session.connection().execute(_DOWNLOADED, {"certificate_id": certificate_id}).first()
    if certificate is None or not may_see_agency(certificate.agency_id):
        abort_with(404, _("This certificate does not exist or is not available to you."))
    if certificate.status == CertificateStatus.REVOKED:
        abort_with(410, _("This certificate was revoked. It is no longer valid and cannot be downloaded."))
    if certificate.status == CertificateStatus.SUPERSEDED:
        abort_with(410, _("This certificate was replaced by a corrected one and cannot be downloaded."))
    # Drawn here when never stored (data loaded in bulk); a page read writes nothing: the
    # scheduled job `store_certificate_pdfs` keeps it.
    data = signed(certificate.pdf) if certificate.pdf is not None else render(certificate.facts)
    return _pdf_response(data, _file_name(certificate.serial, certificate.facts))


class _Sink:
    """A write-only, unseekable file: what zipfile writes is taken out chunk by chunk."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _zip_stream(certificate_ids: list[int]):
    """Yield a ZIP (stored, not compressed: PDFs are compressed already) as it is built.

    Certificates are read in batches as plain rows (no ORM identity kept), so memory stays
    flat whatever the size of the session.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for start in range(0, len(certificate_ids), ZIP_BATCH):
            batch = certificate_ids[start:start + ZIP_BATCH]
            rows = db.session.execute(
                select(Certificate.id, Certificate.serial, Certificate.facts, Certificate.issued_at,
                       Certificate.pdf).where(Certificate.id.in_(batch)).order_by(Certificate.serial)
            ).all()
            for _certificate_id, serial, facts, issued_at, pdf in rows:
                if pdf is None:  # reissued since the check above (rare): drawn now, kept by the job
                    pdf = render(facts)
                else:  # stored before certificates were signed: signed now, in memory
                    pdf = signed(pdf)
                info = zipfile.ZipInfo(_file_name(serial, facts), issued_at.timetuple()[:6])
                archive.writestr(info, pdf)
                yield sink.take()
    yield sink.take()


@bp.get("/manage/sessions/<int:session_id>/certificates.zip")
@allow(STAFF)
def session_zip(session_id: int):
    """Every valid certificate of a session in one ZIP, streamed while it is built."""
    training = session_or_404(session_id)
    ids = list(db.session.scalars(
        select(Certificate.id).join(Registration, Registration.id == Certificate.registration_id)
        .where(Registration.session_id == session_id, Certificate.status == CertificateStatus.VALID)
        .order_by(Certificate.serial)
    ))
    if not ids:
        abort_with(404, _("No valid certificate has been issued for this session yet."))
    # No PDF signing certificate: say so now, not in a job that would fail unseen or mid-ZIP.
    ensure_available()
    total, done = pdf_progress(session_id)
    if done < total:
        # Drawing the missing PDFs here would hold the request for seconds or minutes: the job
        # worker draws them (again and again is harmless: it stores only what is still missing).
        run(prepare_pdfs, session_id)  # the job is enqueued once this request's read has ended
        total, done = pdf_progress(session_id)  # a job run at once (tests) may have finished
        if done < total:
            response = Response(render_template("certificates/zip_pending.html", training=training,
                                                total=total, done=done), status=202)
            response.headers["Retry-After"] = "10"
            response.headers["Cache-Control"] = "private, no-store"
            return response
    response = Response(stream_with_context(_zip_stream(ids)), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="certificates-session-{session_id}.zip"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/certificates")
@allow(Role.PARTNER, STAFF)
def agency_list():
    """The certificates of the partner's agency (every agency's for the office), newest first."""
    joined = _scoped(select(Certificate.id).join(Registration, Registration.id == Certificate.registration_id))
    # The page's ids first (on indexes only), then those rows: sorting whole certificate rows
    # of an agency to keep twenty cost four times more.
    page = paginate(joined.order_by(Certificate.id.desc()), rows=lambda shown: (
        select(Certificate).where(Certificate.id.in_(shown.scalar_subquery())).order_by(Certificate.id.desc())))
    return render_template("certificates/agency_list.html", page=page, invitations=_open_invitations(),
                           valid=CertificateStatus.VALID, dates=PageDates(),
                           status_labels={status: status.label for status in CertificateStatus})


def _open_invitations(limit: int = 50) -> list:
    """Approved registrations of the partner's agency for sessions abroad that have not ended."""
    if not current_user.is_partner:
        return []
    return list(db.session.execute(_scoped(
        select(Registration.id, Participant.name_latin, Participant.name_native, TrainingSession)
        .join(Participant, Participant.id == Registration.participant_id)
        .join(Agency, Agency.id == Registration.agency_id)
        .join(TrainingSession, TrainingSession.id == Registration.session_id)
        .where(Registration.state == RegistrationState.APPROVED,
               TrainingSession.held_abroad_for(Agency.country),
               TrainingSession.status != SessionStatus.CANCELLED,
               TrainingSession.end_date >= local_today())
        .order_by(TrainingSession.start_date, Participant.name_key).limit(limit)
    )))


@bp.get("/registrations/<int:registration_id>/invitation.pdf")
@allow(STAFF, Role.PARTNER)
def invitation(registration_id: int):
    """The invitation letter (French and English) of an approved participant of a session abroad."""
    found = load_invitation(registration_id)
    if found is None or not may_see_agency(found.registration.agency_id):
        abort_with(404, _("This registration does not exist or is not available to you."))
    try:
        data = render_letter(found)
    except CertificateError as error:
        abort_with(error.status, error.message)
    return _pdf_response(data, f"invitation-{registration_id}.pdf")
