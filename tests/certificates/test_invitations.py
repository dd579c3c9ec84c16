"""Invitation letters for sessions abroad: who gets one, what it says, how it is verified."""

import pytest

from registrations.certificates.invitations import invitation_code, registration_id_for
from registrations.models import RegistrationState, SessionStatus

from .pdf import page_image, pdf_text, qr_texts, squeeze


@pytest.fixture
def abroad(make_session, make_registration, make_participant, kh_agency):
    """An approved Cambodian participant of an upcoming session in Vietnam."""
    session = make_session(title_fr="Lutte contre la fraude documentaire", title_en="Countering document fraud",
                           country="VN", city="Hà Nội")
    participant = make_participant(kh_agency, name_latin="Srey Pech", name_native="ស្រី ពេជ្រ", locale="km",
                                   rank="Major")
    return make_registration(session, participant)


def test_partner_downloads_the_letter_of_their_agency(partner_kh_client, abroad, tmp_path):
    response = partner_kh_client.get(f"/registrations/{abroad.id}/invitation.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in ("Srey Pech", "ស្រី ពេជ្រ", "Lutte contre la fraude documentaire", "Countering document fraud",
                     invitation_code(abroad.id)):
        assert squeeze(expected) in text
    image = page_image(response.data, dpi=150)
    image.save(tmp_path / "invitation.png")
    assert qr_texts(image) == [f"http://localhost/verify/{invitation_code(abroad.id)}"]


def test_letter_code_is_verifiable_and_follows_the_registration(client, abroad, db):
    code = invitation_code(abroad.id)
    assert registration_id_for(code) == abroad.id
    page = client.get(f"/verify/{code}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-status="valid"' in html and "Srey Pech" in html and "Countering document fraud" in html
    abroad.state = RegistrationState.CANCELLED
    db.session.commit()
    html = client.get(f"/verify/{code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-status="withdrawn"' in html


def test_forged_letter_codes_are_not_found(client, abroad):
    code = invitation_code(abroad.id)
    forged = code[:-2] + ("AA" if not code.endswith("AA") else "BB")
    assert registration_id_for(forged) is None
    assert client.get(f"/verify/{forged}").status_code == 404
    other_id = invitation_code(abroad.id + 1).split(".")[0] + "." + code.split(".")[1]
    assert client.get(f"/verify/{other_id}").status_code == 404


def test_another_agency_gets_404(partner_client, abroad):
    assert partner_client.get(f"/registrations/{abroad.id}/invitation.pdf").status_code == 404
    assert partner_client.get("/registrations/999999/invitation.pdf").status_code == 404


def test_staff_may_download_any_letter(organiser_client, abroad):
    assert organiser_client.get(f"/registrations/{abroad.id}/invitation.pdf").status_code == 200


def test_no_letter_for_a_session_at_home_or_a_registration_not_approved(organiser_client, make_session,
                                                                       make_registration, make_participant,
                                                                       vn_agency, abroad, db):
    home = make_registration(make_session(country="VN"), make_participant(vn_agency))
    response = organiser_client.get(f"/registrations/{home.id}/invitation.pdf", headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "held outside the participant" in response.get_data(as_text=True)
    abroad.state = RegistrationState.WAITLISTED
    db.session.commit()
    assert organiser_client.get(f"/registrations/{abroad.id}/invitation.pdf").status_code == 409


def test_no_letter_for_a_cancelled_session(organiser_client, make_session, make_registration, make_participant,
                                           kh_agency):
    session = make_session(country="VN", status=SessionStatus.CANCELLED)
    registration = make_registration(session, make_participant(kh_agency))
    assert organiser_client.get(f"/registrations/{registration.id}/invitation.pdf").status_code == 409


def test_partner_list_offers_the_open_letters(partner_kh_client, abroad):
    html = partner_kh_client.get("/certificates").get_data(as_text=True)
    assert f"/registrations/{abroad.id}/invitation.pdf" in html


def test_the_letter_of_an_approved_participant_carries_the_signed_checkin_code(partner_kh_client, abroad, db):
    from registrations.attendance import signing

    abroad.personal_code = "P4W9TZ"
    db.session.commit()
    response = partner_kh_client.get(f"/registrations/{abroad.id}/invitation.pdf")
    found = qr_texts(page_image(response.data, dpi=150))
    [checkin] = [text for text in found if text.startswith("CT1.")]
    read = signing.read(checkin)
    assert (read.session_id, read.code, read.valid) == (abroad.session_id, "P4W9TZ", True)
