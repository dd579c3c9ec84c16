"""Signatories: admins manage them; a session chooses one; certificates and letters print them."""

import io

import pytest
from sqlalchemy import func, select

from registrations.models import AuditEvent, Signatory
from registrations.programme import storage

from ..certificates.pdf import page_image, pdf_text, squeeze
from .conftest import jpeg_bytes, pdf_bytes, png_bytes

TITLES = {"title_fr": "Attaché de sécurité intérieure", "title_en": "Internal Security Attaché",
          "title_vi": "Tùy viên An ninh nội địa", "title_km": "អ្នកចាត់ការផ្នែកសន្តិសុខផ្ទៃក្នុង",
          "title_lo": "ຜູ້ຊ່ຽວຊານດ້ານຄວາມສະຫງົບພາຍໃນ"}


def _create(client, name="Jean-Pierre Durand", signature=None, stamp=None, **headers):
    data = {"name": name, "active": "y", **TITLES}
    if signature is not None:
        data["signature"] = (io.BytesIO(signature), "signature.png")
    if stamp is not None:
        data["stamp"] = (io.BytesIO(stamp), "stamp.jpg")
    return client.post("/admin/signatories/new", data=data, content_type="multipart/form-data", headers=headers)


def test_admin_creates_a_signatory_with_images(admin_client, db):
    assert _create(admin_client, signature=png_bytes(), stamp=jpeg_bytes()).status_code == 302
    signatory = db.session.scalar(select(Signatory))
    assert signatory.is_default and signatory.title_km == TITLES["title_km"]
    assert storage.read("signatures", signatory.signature_file) == png_bytes()
    assert storage.read("signatures", signatory.stamp_file) == jpeg_bytes()
    image = admin_client.get(f"/admin/signatories/{signatory.id}/signature")
    assert image.status_code == 200 and image.mimetype == "image/png"
    listing = admin_client.get("/admin/signatories").get_data(as_text=True)
    assert "Jean-Pierre Durand" in listing
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "signatory.create"))


@pytest.mark.parametrize("data", [pdf_bytes(), b"GIF89a...", png_bytes()[:40]])
def test_images_must_be_real_png_or_jpeg(admin_client, db, data):
    response = _create(admin_client, signature=data, **{"Accept-Language": "en"})
    assert response.status_code == 400
    assert "PNG or JPEG" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Signatory)) == 0


def test_images_are_size_limited(app, admin_client, db):
    app.config["SIGNATORY_IMAGE_MAX_BYTES"] = 500
    response = _create(admin_client, signature=png_bytes(size=(400, 400), color=None) + b"\0" * 600,
                       **{"Accept-Language": "en"})
    assert response.status_code in (400, 413)
    assert db.session.scalar(select(func.count()).select_from(Signatory)) == 0


def test_only_admins_manage_signatories(organiser_client, partner_client):
    assert organiser_client.get("/admin/signatories").status_code == 403
    assert partner_client.get("/admin/signatories/new").status_code == 403


def test_default_moves_and_a_session_chooses_its_own(admin_client, organiser_client, db, make_session):
    _create(admin_client, name="Jean-Pierre Durand")
    _create(admin_client, name="Marie Lefèvre")
    first, second = db.session.scalars(select(Signatory).order_by(Signatory.id)).all()
    assert first.is_default and not second.is_default
    assert admin_client.post(f"/admin/signatories/{second.id}/default").status_code == 302
    db.session.refresh(first)
    db.session.refresh(second)
    assert second.is_default and not first.is_default
    session = make_session(days=1)
    page = organiser_client.get(f"/manage/sessions/{session.id}/signatory").get_data(as_text=True)
    assert "Marie Lefèvre" in page
    assert organiser_client.post(f"/manage/sessions/{session.id}/signatory",
                                 data={"signatory_id": str(first.id)}).status_code == 302
    db.session.refresh(session)
    assert session.signatory_id == first.id
    assert organiser_client.post(f"/manage/sessions/{session.id}/signatory",
                                 data={"signatory_id": "99999"}).status_code == 400


def test_certificate_prints_the_sessions_signatory_with_signature_and_stamp(
        app, admin_client, db, make_session, make_participant, make_registration, tmp_path):
    from datetime import date, timedelta

    from registrations.certificates.facts import render
    from registrations.certificates.services import issue
    from registrations.models import SessionStatus
    from registrations.signatories.services import choose_for_session

    _create(admin_client, name="Jean-Pierre Durand", signature=png_bytes((300, 100)),
            stamp=png_bytes((200, 200), (200, 20, 20, 255)))
    signatory = db.session.scalar(select(Signatory))
    session = make_session(days=2, start=date.today() - timedelta(days=10), status=SessionStatus.COMPLETED)
    choose_for_session(session.id, signatory.id)
    db.session.commit()
    from registrations.models import Attendance, AttendanceStatus, SessionDay

    participant = make_participant(name_latin="Srey Pich", name_native="ស្រី ពេជ្រ", locale="km")
    registration = make_registration(session, participant)
    for day in db.session.scalars(select(SessionDay).where(SessionDay.session_id == session.id)):
        db.session.add(Attendance(registration_id=registration.id, day_id=day.id, status=AttendanceStatus.PRESENT))
    db.session.commit()
    certificate, _ = issue(registration.id)
    db.session.commit()
    facts = certificate.facts
    assert facts["signatory_name"] == "Jean-Pierre Durand"
    assert facts["signatory_title_local"] == TITLES["title_km"]
    assert facts["signature_file"] == signatory.signature_file
    data = render(facts)
    text = pdf_text(data)
    # The French title, and the start of the Khmer one (text extraction splits some Khmer clusters).
    assert squeeze("Jean-Pierre Durand") in text and squeeze(TITLES["title_fr"]) in text
    assert "អ្នកចាត់ការ" in text
    assert data.count(b"/Subtype /Image") + data.count(b"/Subtype/Image") >= 2
    image = page_image(data, dpi=50)
    image.save(tmp_path / "certificate.png")
    # The red stamp is drawn right of the signature line's centre.
    width, height = image.size
    reds = [(x, y) for x in range(width // 2, width) for y in range(height * 3 // 4, height)
            if (lambda p: p[0] > 150 and p[1] < 80 and p[2] < 80)(image.getpixel((x, y)))]
    assert reds
    # A later change of the signatory does not change the issued certificate.
    signatory.name = "Quelqu'un d'autre"
    db.session.commit()
    assert squeeze("Jean-Pierre Durand") in pdf_text(render(certificate.facts))


def test_without_signatory_the_settings_sign(app, db, make_session):
    from registrations.signatories.services import signatory_for

    session = make_session(days=1)
    facts = signatory_for(session)
    assert facts.name == app.config["CERTIFICATE_SIGNATORY_NAME"]
    assert facts.title("km") == app.config["CERTIFICATE_SIGNATORY_TITLE"]
    assert facts.signature_file == ""


def test_invitation_letter_prints_the_signatory(app, admin_client, db, make_session, make_registration,
                                                make_participant, make_agency):
    from registrations.certificates.invitations import load_invitation, render_letter

    _create(admin_client, name="Marie Lefèvre", signature=png_bytes((300, 100)))
    session = make_session(days=2, country="VN")
    participant = make_participant(make_agency("KH"), name_latin="Srey Pich")
    registration = make_registration(session, participant)
    with app.test_request_context():
        data = render_letter(load_invitation(registration.id))
    text = pdf_text(data)
    assert squeeze("Marie Lefèvre") in text and squeeze("Internal Security Attaché") in text
    assert b"/Image" in data


def test_rendering_processes_draw_the_signatory_images(app, admin_client, db):
    """The processes that draw a whole session's certificates have no configuration: the image
    files are found before the work is handed to them."""
    from dataclasses import asdict

    from registrations.certificates.rendering import render_many
    from registrations.documents.examples import example_certificate

    _create(admin_client, name="Jean-Pierre Durand", signature=png_bytes((300, 100)), stamp=png_bytes((90, 90)))
    signatory = db.session.scalar(select(Signatory))
    app.config["CERTIFICATE_RENDER_PROCESSES"] = 2
    base = {key: (value.isoformat() if hasattr(value, "isoformat") else value)
            for key, value in asdict(example_certificate("fr")).items()}
    snapshots = [{**base, "serial": f"HAN-2026-{n:04d}", "signature_file": signatory.signature_file,
                  "stamp_file": signatory.stamp_file} for n in range(4)]
    for data in render_many(snapshots):
        assert data.count(b"/Image") >= 2
