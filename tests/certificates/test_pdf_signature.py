"""PAdES signatures on certificates and invitation letters, checked with pyHanko's validator
trusting the office's certificate: intact, valid, the whole file covered, the page unchanged."""

import io
import stat

import pytest
from cryptography import x509
from pyhanko.sign.validation import SignatureCoverageLevel
from pyhanko.sign.validation.status import ModificationLevel
from pypdf import PdfReader
from sqlalchemy import select, update

from registrations.certificates.facts import draw, render
from registrations.certificates.services import CertificateError, issue
from registrations.credentials import pdf_keys
from registrations.documents.signing import FIELD_NAME, is_signed
from registrations.models import Certificate
from registrations.transaction import run

from .pdf import page_image, signature_status
from .test_invitations import abroad  # noqa: F401  (the fixture)


def _session_id(db, certificate) -> int:
    from registrations.models import Registration

    return db.session.scalar(select(Registration.session_id).where(Registration.id == certificate.registration_id))


def _assert_signed_by_the_office(data: bytes, reason: str):
    status, signature = signature_status(data)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.modification_level == ModificationLevel.NONE
    assert status.md_algorithm == "sha256"
    assert signature.field_name == FIELD_NAME
    assert len(signature.signed_data["certificates"]) == 1  # the office's own, once
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES, not adbe.pkcs7
    assert str(signature.sig_object["/Reason"]) == reason
    assert "Ambassade de France au Vietnam" in str(signature.sig_object["/Name"])
    # Invisible: a field without area on the page, which is drawn exactly as before.
    assert [float(v) for v in signature.sig_field["/Rect"]] == [0, 0, 0, 0]
    return status, signature


def test_issued_certificate_is_signed_over_the_whole_file_with_its_open_badge_inside(organiser_client, issued, db):
    response = organiser_client.get(f"/certificates/{issued.id}.pdf")
    assert response.status_code == 200
    data = response.data
    assert data == db.session.scalar(select(Certificate.pdf).where(Certificate.id == issued.id))
    _status, signature = _assert_signed_by_the_office(
        data, "Attestation de participation / Certificate of participation")
    # The signature is the last revision, an incremental update of the drawn certificate...
    assert signature.signed_revision == 1 and signature.reader.xrefs.total_revisions == 2
    first_revision = data[:data.index(b"%%EOF") + len(b"%%EOF")]
    assert data.startswith(first_revision) and len(first_revision) < signature.byte_range[1]
    # ...whose Open Badge attachment is therefore inside the signed bytes, and still readable.
    badge = issued.facts["open_badge"]
    for readable in (data, first_revision):
        assert PdfReader(io.BytesIO(readable)).attachments["open-badge.jwt"][0].decode() == badge


def test_invitation_letter_is_signed(partner_kh_client, abroad):  # noqa: F811
    response = partner_kh_client.get(f"/registrations/{abroad.id}/invitation.pdf")
    assert response.status_code == 200
    _assert_signed_by_the_office(response.data, "Lettre d’invitation / Invitation letter")


def test_a_flipped_byte_in_the_signed_range_is_caught(db, issued):
    data = bytearray(db.session.scalar(select(Certificate.pdf).where(Certificate.id == issued.id)))
    status, signature = signature_status(bytes(data))
    assert status.intact
    start, length = signature.byte_range[0], signature.byte_range[1]
    position = data.index(b"/Producer")  # in the drawn certificate, well inside the first range
    assert start <= position < start + length
    data[position + 3] ^= 0x01  # "/Producer" -> "/Prpducer": still a well-formed PDF
    tampered, _signature = signature_status(bytes(data))
    assert not tampered.intact and not tampered.bottom_line


def test_signing_leaves_the_page_unchanged(app, issued):
    unsigned = draw(issued.facts)
    signed = render(issued.facts)
    assert not is_signed(unsigned) and is_signed(signed)
    assert page_image(unsigned, dpi=100).tobytes() == page_image(signed, dpi=100).tobytes()


def test_a_certificate_stored_before_signatures_is_served_signed(organiser_client, db, issued):
    db.session.execute(update(Certificate).where(Certificate.id == issued.id).values(pdf=draw(issued.facts)))
    db.session.commit()
    data = organiser_client.get(f"/certificates/{issued.id}.pdf").data
    _assert_signed_by_the_office(data, "Attestation de participation / Certificate of participation")
    stored = db.session.scalar(select(Certificate.pdf).where(Certificate.id == issued.id))
    assert not is_signed(stored)  # a download writes nothing


def test_session_zip_holds_signed_certificates(organiser_client, db, issued):
    import zipfile

    response = organiser_client.get(f"/manage/sessions/{_session_id(db, issued)}/certificates.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        [name] = archive.namelist()
        _assert_signed_by_the_office(archive.read(name),
                                     "Attestation de participation / Certificate of participation")


def test_the_private_key_is_never_in_a_document(app, issued, db):
    from cryptography.hazmat.primitives import serialization

    data = db.session.scalar(select(Certificate.pdf).where(Certificate.id == issued.id))
    key = pdf_keys.office_signer().signer.signing_key.dump()
    private_value = serialization.load_der_private_key(key, None).private_numbers().private_value
    assert key not in data and private_value.to_bytes(32, "big") not in data


def test_production_without_a_pdf_certificate_refuses_with_a_clear_message(
        app, db, ended_session, attendee, organiser_client, issued, abroad, tmp_path):  # noqa: F811
    app.config.update(PDF_SIGNING_CERT=str(tmp_path / "none.pem"), PDF_SIGNING_KEY=str(tmp_path / "none.key"),
                      PDF_SIGNING_AUTO_CREATE=False)
    # Issuing refuses at once, with the reason, and keeps nothing.
    registration = attendee(ended_session(days=2))
    with pytest.raises(CertificateError) as refused:
        run(issue, registration.id)
    assert refused.value.status == 503 and "signature PDF" in str(refused.value.message)  # the office speaks French
    db.session.rollback()
    assert db.session.scalar(select(Certificate.id).where(Certificate.registration_id == registration.id)) is None
    # A document that would have to be signed now is refused with a message, never sent unsigned.
    db.session.execute(update(Certificate).where(Certificate.id == issued.id).values(pdf=None))
    db.session.commit()
    english = {"Accept-Language": "en"}
    for url in (f"/certificates/{issued.id}.pdf", f"/registrations/{abroad.id}/invitation.pdf",
                f"/manage/sessions/{_session_id(db, issued)}/certificates.zip"):
        response = organiser_client.get(url, headers=english)
        assert response.status_code == 503, url
        assert "PDF signing certificate is not configured" in response.get_data(as_text=True)
    assert not (tmp_path / "none.pem").exists() and not (tmp_path / "none.key").exists()


def test_cli_writes_a_self_signed_certificate_that_signs(app, runner, tmp_path, issued):
    app.config.update(PDF_SIGNING_CERT=str(tmp_path / "pdf" / "cert.pem"),
                      PDF_SIGNING_KEY=str(tmp_path / "pdf" / "key.pem"), PDF_SIGNING_AUTO_CREATE=False)
    created = runner.invoke(args=["keys", "pdf-certificate", "--days", "365"])
    assert created.exit_code == 0, created.output
    for name in ("cert.pem", "key.pem"):
        assert stat.S_IMODE((tmp_path / "pdf" / name).stat().st_mode) == 0o600
    key_pem = (tmp_path / "pdf" / "key.pem").read_text()
    assert "PRIVATE KEY" in key_pem and key_pem not in created.output
    again = runner.invoke(args=["keys", "pdf-certificate"])
    assert again.exit_code != 0 and "--force" in again.output
    certificate = x509.load_pem_x509_certificate((tmp_path / "pdf" / "cert.pem").read_bytes())
    with app.app_context():
        data = render(issued.facts)
    status, _signature = signature_status(data, trusted=certificate)
    assert status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert certificate.fingerprint(certificate.signature_hash_algorithm).hex(":").upper() in created.output
    replaced = runner.invoke(args=["keys", "pdf-certificate", "--force"])
    assert replaced.exit_code == 0
    assert (tmp_path / "pdf" / "key.pem").read_text() != key_pem


def test_outside_production_a_pair_is_created_once_with_private_rights(app, tmp_path, issued):
    cert_path, key_path = tmp_path / "instance" / "cert.pem", tmp_path / "instance" / "key.pem"
    app.config.update(PDF_SIGNING_CERT=str(cert_path), PDF_SIGNING_KEY=str(key_path), PDF_SIGNING_AUTO_CREATE=True)
    with app.app_context():
        first = render(issued.facts)
        created = (cert_path.read_bytes(), key_path.read_bytes())
        render(issued.facts)
    assert (cert_path.read_bytes(), key_path.read_bytes()) == created
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600 and stat.S_IMODE(cert_path.stat().st_mode) == 0o600
    status, _signature = signature_status(first, trusted=x509.load_pem_x509_certificate(created[0]))
    assert status.bottom_line


def test_a_configured_certificate_with_an_encrypted_key_and_its_chain(app, tmp_path, issued):
    from cryptography.hazmat.primitives import serialization

    certificate_pem, key_pem = pdf_keys.self_signed("Office — PDF signing")
    key = serialization.load_pem_private_key(key_pem, None)
    encrypted = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"s3cret"))
    other_pem, _other_key = pdf_keys.self_signed("An issuing authority")
    (tmp_path / "cert.pem").write_bytes(certificate_pem + other_pem)  # the office's first, then its chain
    (tmp_path / "key.pem").write_bytes(encrypted)
    app.config.update(PDF_SIGNING_CERT=str(tmp_path / "cert.pem"), PDF_SIGNING_KEY=str(tmp_path / "key.pem"),
                      PDF_SIGNING_KEY_PASSWORD="s3cret", PDF_SIGNING_AUTO_CREATE=False)
    with app.app_context():
        data = render(issued.facts)
    status, signature = signature_status(data, trusted=x509.load_pem_x509_certificate(certificate_pem))
    assert status.bottom_line
    assert len(signature.signed_data["certificates"]) == 2  # the office's and its chain, each once
    app.config["PDF_SIGNING_KEY_PASSWORD"] = "wrong"
    with app.app_context(), pytest.raises(pdf_keys.PdfSigningUnavailable):
        render(issued.facts)


def test_demo_certificates_are_signed(app, db):
    from registrations.demo import seed_demo

    seed_demo()
    db.session.remove()
    stored = db.session.scalars(select(Certificate.pdf).where(Certificate.pdf.is_not(None))).all()
    assert stored and all(is_signed(pdf) for pdf in stored)
    status, _signature = signature_status(stored[0])
    assert status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE


def test_verification_pages_say_the_pdf_is_signed(client, issued, abroad):  # noqa: F811
    from registrations.certificates.invitations import invitation_code

    french = client.get(f"/verify/{issued.code}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert 'data-testid="pdf-signature"' in french
    assert "Le PDF porte la signature numérique du service\u202f: un lecteur PDF indique" in french
    letter = client.get(f"/verify/{invitation_code(abroad.id)}", headers={"Accept-Language": "en"})
    assert "The PDF carries the office's digital signature" in letter.get_data(as_text=True)


def test_signing_where_an_event_loop_runs_already(app, issued):
    """pyHanko runs its own loop: inside a running one (an asynchronous server, a browser driver in
    tests) the signature is made in a thread of its own."""
    import asyncio

    async def inside():
        return render(issued.facts)

    with app.app_context():
        data = asyncio.run(inside())
    assert signature_status(data)[0].bottom_line


def test_the_signed_attributes_formatted_once_are_those_pyhanko_formats_each_time(app):
    """The office's signer formats its signed attributes once and writes each document's digest
    into them (documents/signing.simple_signer): the bytes are pyHanko's own, for any digest and
    signing time; attributes that change from one signature to the next (a signing time outside
    PAdES) are formatted each time."""
    import asyncio
    import secrets
    from datetime import UTC, datetime, timedelta

    from pyhanko.sign.signers import SimpleSigner
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    with app.app_context():
        office = pdf_keys.office_signer().signer
    plain = SimpleSigner(signing_cert=office.signing_cert, signing_key=office.signing_key,
                         cert_registry=office.cert_registry)
    assert type(office) is not SimpleSigner

    def attributes(signer, digest, when, pades):
        settings = PdfCMSSignedAttributes(signing_time=when)
        return asyncio.run(signer.signed_attrs(digest, "sha256", attr_settings=settings, use_pades=pades)).dump()

    start = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    for pades in (True, False):
        for n in range(4):
            digest, when = secrets.token_bytes(32), start + timedelta(minutes=n)
            repeated = attributes(office, digest, when, pades)
            assert repeated == attributes(plain, digest, when, pades) and digest in repeated
    kept = office._repeated_attributes
    assert [template is not None for key, template in sorted(kept.items(), key=lambda kv: not kv[0][4])] == \
        [True, False]  # PAdES (no signing time in the attributes): formatted once; the other each time
