"""The facts a certificate is issued with, and the PDF drawn from them.

An issued certificate keeps a JSON snapshot of everything it states (`Certificate.facts`):
the verification page and the PDF read the snapshot, never the live participant or session,
so a later correction of a profile or a session does not change a certificate already issued.
"""

import dataclasses
import functools
from datetime import date
from typing import TYPE_CHECKING

from babel import Locale
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from registrations.attendance.rates import AttendanceSummary
from registrations.certificates.typed import short_code
from registrations.credentials.pdf_keys import sign_document
from registrations.documents import DEFAULT_ISSUER
from registrations.documents.signing import is_signed
from registrations.models import Agency, Participant, TrainingSession

if TYPE_CHECKING:
    from registrations.documents import CertificateFacts

#: Languages a certificate can be printed in, besides French.
CERTIFICATE_LOCALES = ("fr", "en", "vi", "km", "lo")
_DATE_FIELDS = ("start_date", "end_date", "issue_date")


def certificate_locale(participant: Participant) -> str:
    """The participant's document language, French when it is not one we print."""
    return participant.locale if participant.locale in CERTIFICATE_LOCALES else "fr"


def country_name(code: str, locale: str) -> str:
    """The name of a country (ISO alpha-2) in a language, or the code when Babel has none."""
    return Locale.parse(locale).territories.get(code, code)


def kind_label(session: TrainingSession, locale: str) -> str:
    """The session's kind (course, seminar…) in a language."""
    with force_locale(locale):
        return str(session.kind.label)


def verify_url(code: str) -> str:
    """The public verification address printed on documents and in their QR codes."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/verify/{code}"


def build_facts(*, session: TrainingSession, participant: Participant, agency: Agency,
                summary: AttendanceSummary, serial: str, code: str, issue_date: date,
                registration_id: int) -> dict:
    """The JSON snapshot of a certificate about to be issued."""
    from registrations.signatories.services import signatory_for

    locale = certificate_locale(participant)
    signatory = signatory_for(session)
    title_fr, title_local = signatory.title("fr"), signatory.title(locale)
    return {
        "locale": locale,
        "participant_name_latin": participant.name_latin,
        "participant_name_native": participant.name_native or "",
        "rank": participant.rank or "",
        "agency_name": agency.name,
        "agency_name_local": agency.name_local or "",
        "session_title_fr": session.title_fr,
        "session_title_local": session.localized("title", locale),
        "session_kind_fr": kind_label(session, "fr"),
        "session_kind_local": kind_label(session, locale),
        "city": session.city,
        "country_name_fr": country_name(session.country, "fr"),
        "country_name_local": country_name(session.country, locale),
        "start_date": session.start_date.isoformat(),
        "end_date": session.end_date.isoformat(),
        "days_attended": summary.days_attended,
        "days_held": summary.days_held,
        "serial": serial,
        "issue_date": issue_date.isoformat(),
        "signatory_name": signatory.name,
        "signatory_title": title_fr,
        "signatory_title_local": title_local if title_local != title_fr else "",
        # Stored image names (uploads folder): the snapshot keeps the images it was issued with.
        "signature_file": signatory.signature_file,
        "stamp_file": signatory.stamp_file,
        "verify_url": verify_url(code),
        "issuer_name": DEFAULT_ISSUER,
        "short_code": short_code(code),
        # Not printed; kept so that the snapshot says where it came from.
        "session_id": session.id,
        "registration_id": registration_id,
        "attendance_threshold": session.attendance_threshold,
    }


def with_image_paths(snapshot: dict) -> dict:
    """A copy of the snapshot with the files of its signature and stamp images (found through
    the application's `UPLOADS_PATH`), for rendering where no configuration is at hand."""
    from registrations.signatories.services import image_path

    return {**snapshot, "signature_path": image_path(snapshot.get("signature_file", "")),
            "stamp_path": image_path(snapshot.get("stamp_file", ""))}


@functools.cache
def _rendered_fields() -> frozenset[str]:
    from registrations.documents import CertificateFacts

    return frozenset(field.name for field in dataclasses.fields(CertificateFacts))


def facts_for_rendering(snapshot: dict) -> "CertificateFacts":
    """The renderer's input, built from a certificate's snapshot only (image files resolved here
    unless `with_image_paths` already did)."""
    if "signature_path" not in snapshot:
        snapshot = with_image_paths(snapshot)
    from registrations.documents import CertificateFacts

    fields = _rendered_fields()
    values = {key: value for key, value in snapshot.items() if key in fields}
    for key in _DATE_FIELDS:
        values[key] = date.fromisoformat(values[key])
    if "short_code" not in values:  # issued before short codes: derived from the code in the address
        values["short_code"] = short_code(values["verify_url"].rsplit("/", 1)[-1])
    return CertificateFacts(**values)


def draw(snapshot: dict) -> bytes:
    """Draw the certificate PDF of a snapshot, unsigned."""
    return draw_many([snapshot])[0]


def draw_many(snapshots: list[dict]) -> list[bytes]:
    """Draw the certificate PDFs of snapshots, unsigned, in order, as one batch (what a
    rendering process does): a batch costs much less per certificate than one at a time."""
    from registrations.documents import render_certificates

    return render_certificates([facts_for_rendering(snapshot) for snapshot in snapshots])


def certificate_reason() -> str:
    """What a PDF reader shows as the reason of a certificate's signature (French / English)."""
    with force_locale("fr"):
        french = _("Certificate of participation")
    with force_locale("en"):
        return f"{french} / {_('Certificate of participation')}"


def sign(data: bytes) -> bytes:
    """A drawn certificate signed by the office (PAdES): the last step, after the Open Badge is
    attached. Raises `PdfSigningUnavailable` when no signing certificate is configured."""
    return sign_document(data, certificate_reason())


def signed(data: bytes) -> bytes:
    """A stored certificate as served: signed already (every PDF stored since signatures exist),
    or signed now, in memory, when it was stored before (nothing is written). Stored bytes that
    cannot be read as a PDF are served as they are, as before signatures, with a warning."""
    if is_signed(data):
        return data
    from pyhanko.pdf_utils.misc import PdfReadError

    try:
        return sign(data)
    except PdfReadError as error:
        current_app.logger.warning("stored certificate PDF not signed, unreadable: %s", error)
        return data


def render(snapshot: dict) -> bytes:
    """The certificate PDF of a snapshot, drawn and signed."""
    return sign(draw(snapshot))


def snapshot_date(snapshot: dict, key: str) -> date:
    """A date of the snapshot (start_date, end_date, issue_date) as a `date`."""
    return date.fromisoformat(snapshot[key])
