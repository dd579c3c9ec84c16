"""Certificate pages and downloads per role: issue, revoke, re-issue, download, ZIP, list."""

import io
import zipfile

import pytest
from sqlalchemy import select

from registrations.certificates.services import issue, reissue, revoke
from registrations.models import AuditEvent, Certificate, CertificateStatus, RegistrationState
from registrations.transaction import run

from .pdf import pdf_text


@pytest.fixture
def vn_certificate(db, ended_session, attendee, vn_agency):
    """A valid certificate of a participant of the Vietnamese partner's agency."""
    registration = attendee(ended_session(title_fr="Lutte contre la fraude documentaire"), vn_agency,
                            name_latin="Nguyen Thi Huong", name_native="Nguyễn Thị Hương", locale="vi")
    return run(issue, registration.id)[0]


def _certificates(db):
    return list(db.session.scalars(select(Certificate).order_by(Certificate.id)))


# ---------------------------------------------------------------- the session page

def test_session_page_shows_eligible_not_eligible_and_issued(organiser_client, ended_session, attendee, db,
                                                             make_registration):
    session = ended_session(days=5)
    ok = attendee(session, name_latin="Eligible Person")
    attendee(session, present=2, name_latin="Rarely There")
    make_registration(session, state=RegistrationState.WAITLISTED)
    page = organiser_client.get(f"/manage/sessions/{session.id}/certificates", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Eligible Person" in html and "Rarely There" in html
    assert "Attendance 40 % is below the threshold of 80 %." in html
    assert "Registration not approved (Waiting list)." in html
    assert f"/manage/registrations/{ok.id}/certificate" in html
    if "registrations.detail" in organiser_client.application.view_functions:
        assert f'href="/registrations/{ok.id}"' in html
    assert f"/manage/sessions/{session.id}/certificates/issue-all" in html


@pytest.mark.parametrize("who, status", [("partner_client", 403), ("client", 302)])
def test_session_page_is_for_the_office(request, ended_session, who, status):
    session = ended_session()
    client = request.getfixturevalue(who)
    assert client.get(f"/manage/sessions/{session.id}/certificates").status_code == status
    assert client.post(f"/manage/sessions/{session.id}/certificates/issue-all").status_code == status


def test_unknown_session_is_404(organiser_client):
    assert organiser_client.get("/manage/sessions/4242/certificates").status_code == 404
    assert organiser_client.post("/manage/sessions/4242/certificates/issue-all").status_code == 404


def test_session_page_runs_a_fixed_number_of_queries_without_pdf(organiser_client, ended_session, attendee,
                                                                 count_queries, db):
    def measure(size: int) -> list[str]:
        session = ended_session()
        registrations = [attendee(session) for _ in range(size)]
        for registration in registrations[: size // 2]:
            run(issue, registration.id)
        with count_queries() as statements:
            assert organiser_client.get(f"/manage/sessions/{session.id}/certificates").status_code == 200
        return statements

    small, large = measure(2), measure(12)
    assert len(small) == len(large)
    # The PDFs' bytes are never read; only whether each is stored (the drawing job's progress).
    assert not any("certificate.pdf" in s.replace("certificate.pdf IS NULL", "") for s in large)


# ---------------------------------------------------------------- issuing from the page

def test_organiser_issues_one_then_all(organiser_client, ended_session, attendee, db):
    session = ended_session()
    first, second, third = (attendee(session) for _ in range(3))
    response = organiser_client.post(f"/manage/registrations/{first.id}/certificate")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/manage/sessions/{session.id}/certificates")
    assert len(_certificates(db)) == 1
    again = organiser_client.post(f"/manage/registrations/{first.id}/certificate", follow_redirects=True)
    assert "avait déjà été délivrée" in again.get_data(as_text=True)
    response = organiser_client.post(f"/manage/sessions/{session.id}/certificates/issue-all",
                                     follow_redirects=True)
    assert "2 attestations délivrées." in response.get_data(as_text=True)
    assert sorted(c.registration_id for c in _certificates(db)) == sorted([first.id, second.id, third.id])


def test_tampered_issue_of_a_non_eligible_registration_is_refused(organiser_client, ended_session, attendee, db,
                                                                  make_registration):
    session = ended_session(days=4)
    low = attendee(session, present=1)
    pending = make_registration(session, state=RegistrationState.PENDING)
    for registration_id in (low.id, pending.id):
        response = organiser_client.post(f"/manage/registrations/{registration_id}/certificate",
                                         headers={"Accept-Language": "en"})
        assert response.status_code == 409
        assert "No certificate for this registration" in response.get_data(as_text=True)
    assert organiser_client.post("/manage/registrations/999999/certificate").status_code == 404
    assert _certificates(db) == []


def test_issue_needs_a_csrf_token(organiser_client, ended_session, attendee, db):
    registration = attendee(ended_session())
    response = organiser_client.post(f"/manage/registrations/{registration.id}/certificate", csrf=False)
    assert response.status_code == 400
    assert _certificates(db) == []


def test_revoke_from_the_page_needs_a_reason(organiser_client, vn_certificate, db):
    url = f"/manage/certificates/{vn_certificate.id}/revoke"
    refused = organiser_client.post(url, data={f"revoke-{vn_certificate.id}-reason": "  "},
                                    headers={"Accept-Language": "en"})
    assert refused.status_code == 400
    assert "Give the reason for the revocation." in refused.get_data(as_text=True)
    assert _certificates(db)[0].status == CertificateStatus.VALID
    done = organiser_client.post(url, data={f"revoke-{vn_certificate.id}-reason": "Erreur de nom"})
    assert done.status_code == 302
    certificate = _certificates(db)[0]
    assert certificate.status == CertificateStatus.REVOKED and certificate.revoke_reason == "Erreur de nom"
    assert organiser_client.post(url, data={f"revoke-{vn_certificate.id}-reason": "again"}).status_code == 409
    assert organiser_client.post("/manage/certificates/999/revoke",
                                 data={"revoke-999-reason": "x"}).status_code == 404


def test_reissue_from_the_page(organiser_client, vn_certificate, db):
    response = organiser_client.post(f"/manage/certificates/{vn_certificate.id}/reissue",
                                     data={f"reissue-{vn_certificate.id}-reason": "Grade corrigé"})
    assert response.status_code == 302
    old, new = _certificates(db)
    assert old.status == CertificateStatus.SUPERSEDED and new.status == CertificateStatus.VALID
    assert db.session.scalar(select(AuditEvent.reason).where(AuditEvent.action == "certificate.reissue")) \
        == "Grade corrigé"


@pytest.mark.parametrize("url", ["/manage/certificates/{id}/revoke", "/manage/certificates/{id}/reissue"])
def test_partners_cannot_revoke_or_reissue(partner_client, vn_certificate, url):
    assert partner_client.post(url.format(id=vn_certificate.id)).status_code == 403


# ---------------------------------------------------------------- downloads

def test_download_by_staff_and_the_agency_partner(organiser_client, partner_client, vn_certificate):
    for client in (organiser_client, partner_client):
        response = client.get(f"/certificates/{vn_certificate.id}.pdf")
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert f'filename="{vn_certificate.serial}-nguyen-thi-huong.pdf"' in response.headers["Content-Disposition"]
        assert vn_certificate.serial in pdf_text(response.data)


def test_another_agency_partner_gets_404(partner_kh_client, vn_certificate):
    response = partner_kh_client.get(f"/certificates/{vn_certificate.id}.pdf")
    assert response.status_code == 404
    assert vn_certificate.serial not in response.get_data(as_text=True)
    assert partner_kh_client.get(f"/manage/sessions/{vn_certificate.facts['session_id']}/certificates.zip")\
        .status_code == 403
    listing = partner_kh_client.get("/certificates").get_data(as_text=True)
    assert vn_certificate.serial not in listing


def test_revoked_or_superseded_certificate_is_not_served(organiser_client, partner_client, vn_certificate):
    run(revoke, vn_certificate.id, "Erreur")
    for client in (organiser_client, partner_client):
        response = client.get(f"/certificates/{vn_certificate.id}.pdf", headers={"Accept-Language": "en"})
        assert response.status_code == 410
        assert response.mimetype == "text/html"
        assert "was revoked" in response.get_data(as_text=True)
    renewed = run(issue, vn_certificate.registration_id)[0]
    run(reissue, renewed.id)
    response = partner_client.get(f"/certificates/{renewed.id}.pdf", headers={"Accept-Language": "fr"})
    assert response.status_code == 410
    assert response.mimetype == "text/html"


def test_missing_bytes_are_drawn_on_download_and_stored_by_the_job(organiser_client, vn_certificate, db):
    from registrations.tasks import store_certificate_pdfs

    db.session.execute(Certificate.__table__.update().values(pdf=None))
    db.session.commit()
    response = organiser_client.get(f"/certificates/{vn_certificate.id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    db.session.rollback()
    assert db.session.scalar(select(Certificate.pdf)) is None  # a download writes nothing
    db.session.rollback()
    assert store_certificate_pdfs.call_local() == 1
    db.session.rollback()
    assert db.session.scalar(select(Certificate.pdf)).startswith(b"%PDF-")


def test_anonymous_visitors_are_sent_to_login(client, vn_certificate):
    response = client.get(f"/certificates/{vn_certificate.id}.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_session_zip_streams_every_valid_certificate(organiser_client, ended_session, attendee, db):
    session = ended_session()
    registrations = [attendee(session, name_latin=f"Person {n}") for n in range(4)]
    certificates = [run(issue, r.id)[0] for r in registrations]
    run(revoke, certificates[0].id, "Erreur")
    db.session.execute(Certificate.__table__.update().where(Certificate.id == certificates[1].id).values(pdf=None))
    db.session.commit()
    response = organiser_client.get(f"/manage/sessions/{session.id}/certificates.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.is_streamed
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert names == sorted(f"{c.serial}-person-{n}.pdf" for n, c in enumerate(certificates) if n != 0)
    for info in archive.infolist():
        assert info.compress_type == zipfile.ZIP_STORED
        assert archive.read(info).startswith(b"%PDF-")
    db.session.rollback()  # the missing PDF was drawn and kept by the job the request enqueued
    assert db.session.scalar(select(Certificate.pdf).where(Certificate.id == certificates[1].id)).startswith(b"%PDF")


def test_session_zip_without_certificates_is_404(organiser_client, ended_session):
    assert organiser_client.get(f"/manage/sessions/{ended_session().id}/certificates.zip").status_code == 404


# ---------------------------------------------------------------- the agency's list

def test_agency_list_shows_only_the_agency_certificates(partner_client, partner_kh_client, ended_session,
                                                        attendee, vn_agency, kh_agency):
    session = ended_session()
    vn = run(issue, attendee(session, vn_agency, name_latin="Le Thi Mai").id)[0]
    kh = run(issue, attendee(session, kh_agency, name_latin="Chan Dara", name_native="ចាន់ ដារា", locale="km").id)[0]
    vn_page = partner_client.get("/certificates").get_data(as_text=True)
    kh_page = partner_kh_client.get("/certificates").get_data(as_text=True)
    assert vn.serial in vn_page and "Le Thi Mai" in vn_page and kh.serial not in vn_page
    assert kh.serial in kh_page and "ចាន់ ដារា" in kh_page and vn.serial not in kh_page
    assert f"/certificates/{kh.id}.pdf" in kh_page


def test_agency_list_is_paginated_with_a_fixed_number_of_queries(partner_client, ended_session, attendee,
                                                                 vn_agency, count_queries, app, db):
    app.config["ITEMS_PER_PAGE"] = 20  # 3 and 12 certificates: the page only partly filled at both sizes

    def measure() -> list[str]:
        with count_queries() as statements:
            assert partner_client.get("/certificates").status_code == 200
        return statements

    session = ended_session()
    for _ in range(3):
        run(issue, attendee(session, vn_agency).id)
    small = measure()
    for _ in range(9):
        run(issue, attendee(session, vn_agency).id)
    large = measure()
    assert len(small) == len(large)
    # The PDFs' bytes are never read; only whether each is stored (the drawing job's progress).
    assert not any("certificate.pdf" in s.replace("certificate.pdf IS NULL", "") for s in large)
    app.config["ITEMS_PER_PAGE"] = 5  # 12 certificates: three pages
    second = partner_client.get("/certificates?page=3").get_data(as_text=True)
    assert "Page 3" in second or "3 / 3" in second or "3 sur 3" in second
