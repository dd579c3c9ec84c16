"""The stored certificate PDF: its text, its QR code, and how Khmer and Lao names look."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from registrations.certificates.services import issue, revoke
from registrations.models import Certificate
from registrations.transaction import run

from .pdf import page_image, pdf_text, qr_texts, squeeze


def _stored(db, certificate_id: int) -> bytes:
    return db.session.scalar(select(Certificate.pdf).where(Certificate.id == certificate_id))


@pytest.mark.parametrize("locale, latin, native, title_local", [
    ("vi", "Nguyen Thi Huong", "Nguyễn Thị Hương", "Quản lý hiện trường vụ án"),
    ("km", "Srey Pech", "ស្រី ពេជ្រ", "ព្រះរាជាណាចក្រកម្ពុជា"),
    ("lo", "Khao Niao", "ເຂົ້າໜຽວ", "ການຄຸ້ມຄອງສະຖານທີ່ເກີດເຫດ"),
])
def test_pdf_text_holds_names_serial_and_titles(app, db, ended_session, attendee, locale, latin, native,
                                                title_local):
    session = ended_session(title_fr="Gestion d'une scène de crime", **{f"title_{locale}": title_local})
    registration = attendee(session, name_latin=latin, name_native=native, locale=locale, rank="Major")
    certificate = run(issue, registration.id)[0]
    text = pdf_text(_stored(db, certificate.id))
    for expected in (latin, native, certificate.serial, "Gestion d'une scène de crime", title_local, "Major"):
        assert squeeze(expected) in text


def test_qr_code_leads_to_the_verification_page(app, db, client, ended_session, attendee, tmp_path):
    registration = attendee(ended_session(), name_latin="Chan Dara", name_native="ចាន់ ដារា", locale="km")
    certificate = run(issue, registration.id)[0]
    image = page_image(_stored(db, certificate.id), dpi=150)
    image.save(tmp_path / "certificate.png")
    urls = qr_texts(image)
    assert urls == [f"http://localhost/verify/{certificate.code}#{certificate.facts['credential']}"]

    path = urls[0].removeprefix("http://localhost").partition("#")[0]  # a browser keeps the fragment
    page = client.get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-status="valid"' in html and "Valid" in html
    assert "Chan Dara" in html and "ចាន់ ដារា" in html and certificate.serial in html

    run(revoke, certificate.id, "Issued by mistake")
    html = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-status="revoked"' in html and "Revoked" in html and "Issued by mistake" in html


def test_golden_rendering_of_khmer_and_lao_names(app, db, ended_session, attendee, tmp_path):
    """Page 1 of a Khmer and a Lao certificate, rendered for a person to look at.

    Set CERTIFICATE_PREVIEW_DIR to also copy the images somewhere kept after the run.
    """
    import os

    session = ended_session(title_fr="Gestion d'une scène de crime", city="Phnom Penh", country="KH",
                            title_km="ការគ្រប់គ្រងកន្លែងកើតហេតុ", title_lo="ການຄຸ້ມຄອງສະຖານທີ່ເກີດເຫດ",
                            serial_prefix="PNH")
    people = {
        "km": attendee(session, name_latin="Srey Pech", name_native="ស្រី ពេជ្រ", locale="km", rank="Major"),
        "lo": attendee(session, name_latin="Khao Niao", name_native="ເຂົ້າໜຽວ", locale="lo", rank="Captain"),
    }
    for locale, registration in people.items():
        certificate = run(issue, registration.id)[0]
        image = page_image(_stored(db, certificate.id), dpi=150)
        path = tmp_path / f"certificate-{locale}.png"
        image.save(path)
        width, height = image.size
        assert width > height  # A4 landscape
        assert abs(width / height - 297 / 210) < 0.01
        lo, hi = image.convert("L").getextrema()
        assert lo < 60 and hi > 200  # something is drawn on a light page
        if os.environ.get("CERTIFICATE_PREVIEW_DIR"):
            shutil.copy(path, Path(os.environ["CERTIFICATE_PREVIEW_DIR"]) / path.name)
