"""Certificates in a real browser: the office issues them, a partner downloads one, anyone verifies it."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from registrations.models import Attendance, AttendanceStatus, SessionDay, SessionStatus
from registrations.transaction import run
from tests.browser.conftest import assert_accessible, log_in, page_width
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def completed_session(db, make_session, make_participant, make_registration, partner_user, partner_kh_user):
    """A completed session: three Vietnamese and one Cambodian participant attended, one did not."""
    from registrations.models import Agency

    session = make_session(days=3, start=date.today() - timedelta(days=12), status=SessionStatus.COMPLETED,
                           title_fr="Gestion d'une scène de crime", title_vi="Quản lý hiện trường vụ án",
                           title_km="ការគ្រប់គ្រងកន្លែងកើតហេតុ", city="Phnom Penh", country="KH",
                           serial_prefix="PNH")
    vn = db.session.get(Agency, partner_user.agency_id)
    kh = db.session.get(Agency, partner_kh_user.agency_id)
    people = [
        (vn, "Nguyen Thi Huong", "Nguyễn Thị Hương", "vi", 3),
        (vn, "Tran Van Minh", "Trần Văn Minh", "vi", 3),
        (vn, "Le Thi Mai", "Lê Thị Mai", "vi", 3),
        (kh, "Srey Pech", "ស្រី ពេជ្រ", "km", 3),
        (kh, "Chan Dara", "ចាន់ ដារា", "km", 1),
    ]
    days = db.session.scalars(select(SessionDay).where(SessionDay.session_id == session.id)
                              .order_by(SessionDay.date)).all()
    for agency, latin, native, locale, present in people:
        participant = make_participant(agency, name_latin=latin, name_native=native, locale=locale, rank="Major")
        registration = make_registration(session, participant)
        for index, day in enumerate(days):
            status = AttendanceStatus.PRESENT if index < present else AttendanceStatus.ABSENT
            db.session.add(Attendance(registration_id=registration.id, day_id=day.id, status=status))
    db.session.commit()
    return session


def test_issue_download_and_verify(live_server, browser, page, phone_page, completed_session, organiser_user,
                                   partner_user, tmp_path):
    from registrations.certificates.typed import short_code
    from registrations.text import fold
    from tests.certificates.pdf import page_image, pdf_text, qr_texts

    # The organiser issues every eligible certificate at once.
    log_in(page, live_server, organiser_user.email, TEST_PASSWORD)
    page.goto(f"{live_server}/manage/sessions/{completed_session.id}/certificates")
    eligible = page.get_by_test_id("eligible")
    assert eligible.get_by_role("row").count() == 5  # header + four eligible
    assert "Chan Dara" in page.get_by_test_id("not-eligible").inner_text()
    page.screenshot(path=str(tmp_path / "organiser-before.png"), full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name="Délivrer les 4 attestations").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="4 attestations délivrées.").is_visible()
    issued = page.get_by_test_id("issued")
    assert issued.get_by_role("row").count() == 5
    assert "PNH-" in issued.inner_text()
    page.screenshot(path=str(tmp_path / "organiser-issued.png"), full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name="Se déconnecter").click()

    # The Vietnamese partner sees their agency's three certificates and downloads one.
    log_in(page, live_server, partner_user.email, TEST_PASSWORD)
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Nos attestations").click()
    table = page.get_by_test_id("certificates")
    assert table.get_by_role("row").count() == 4
    assert "Srey Pech" not in table.inner_text()
    page.screenshot(path=str(tmp_path / "partner-list.png"), full_page=True)
    assert_accessible(page)
    with page.expect_download() as download_info:
        table.get_by_role("link", name=re.compile("^Télécharger l’attestation")).first.click()
    saved = tmp_path / "certificate.pdf"
    download_info.value.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Gestiond'unescènedecrime" in text
    [url] = qr_texts(page_image(data, dpi=150))
    address, _hash, token = url.partition("#")
    assert token.count(".") == 2  # the signed token travels in the fragment (see test_offline_verifier.py)
    code = address.rsplit("/", 1)[1]

    # Anyone can verify it, on a phone, by typing the code its QR code carries.
    phone_page.goto(f"{live_server}/verify")
    phone_page.get_by_label("Code de vérification").fill(code)
    phone_page.get_by_role("button", name="Vérifier").click()
    phone_page.wait_for_load_state()
    status = phone_page.get_by_test_id("certificate-status")
    assert status.get_attribute("data-status") == "valid"
    assert "Valide" in status.inner_text()
    serial = phone_page.get_by_test_id("certificate-serial").inner_text()
    assert serial.startswith("PNH-") and serial.replace("-", "") in text.replace("-", "")
    assert page_width(phone_page) <= 360
    phone_page.screenshot(path=str(tmp_path / "verify-phone.png"), full_page=True)
    assert_accessible(phone_page)

    # Or by typing the serial number and the holder's family name (lower case, no accents).
    holder = phone_page.locator("dd .fw-semibold").first.inner_text()
    family = fold(holder).split()[0]
    phone_page.goto(f"{live_server}/verify")
    phone_page.get_by_label("Numéro de série ou code de vérification").fill(serial.lower())
    phone_page.get_by_label("Nom de famille du titulaire").fill(family)
    phone_page.get_by_role("button", name="Vérifier").click()
    phone_page.wait_for_load_state()
    assert phone_page.get_by_test_id("certificate-status").get_attribute("data-status") == "valid"
    # The short code printed on the certificate works too; a wrong name is a message on the form.
    assert short_code(code) in text
    phone_page.goto(f"{live_server}/verify")
    phone_page.get_by_label("Numéro de série ou code de vérification").fill(serial)
    phone_page.get_by_label("Nom de famille du titulaire").fill("Dupont")
    phone_page.get_by_role("button", name="Vérifier").click()
    phone_page.wait_for_load_state()
    assert "Aucune attestation ne correspond" in phone_page.content()
    assert page_width(phone_page) <= 360
    assert_accessible(phone_page)


def test_certificate_pages_fit_a_phone(live_server, phone_page, completed_session, organiser_user, tmp_path):
    from registrations.certificates.services import issue_all

    run(issue_all, completed_session.id)
    log_in(phone_page, live_server, organiser_user.email, TEST_PASSWORD)
    phone_page.goto(f"{live_server}/manage/sessions/{completed_session.id}/certificates")
    # Wide tables scroll inside their own region; the page itself never scrolls sideways.
    assert page_width(phone_page) <= 360
    phone_page.screenshot(path=str(tmp_path / "organiser-phone.png"), full_page=True)
    assert_accessible(phone_page)
    phone_page.goto(f"{live_server}/verify")
    assert page_width(phone_page) <= 360
    phone_page.screenshot(path=str(tmp_path / "verify-form-phone.png"), full_page=True)
    assert_accessible(phone_page)
