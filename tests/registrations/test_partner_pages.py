"""Partner pages: register, nominate, the agency's list, a registration's page, cancel, offers."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from registrations.models import Participant, Registration, SessionStatus
from registrations.models import RegistrationState as S
from tests.registrations.conftest import counts

FORM = {"name_latin": "Nguyen Thi Huong", "name_native": "Nguyễn Thị Hương", "rank": "Trung tá",
        "unit": "Phòng Hợp tác song phương", "email": "huong@example.test", "phone": "+84 24 3826 9999",
        "languages": "Tiếng Việt, English", "locale": "vi", "needs_diet": "Chay",
        "needs_interpretation": "vi", "needs_accessibility": "", "motivation": "Hợp tác quốc tế"}


def test_register_page_is_prefilled_with_the_partners_own_record(db, partner_client, partner_user, make_session):
    session = make_session()
    page = partner_client.get(f"/sessions/{session.id}/register")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="Nguyễn Thị Hương"' in html and 'value="partner.vn@example.test"' in html
    assert session.title_fr in html


def test_partner_registers_and_sees_the_registration(db, partner_client, partner_user, make_session, outbox):
    session = make_session(auto_approve=True)
    response = partner_client.post(f"/sessions/{session.id}/register", data=FORM)
    assert response.status_code == 302
    registration = db.session.scalar(select(Registration))
    assert response.headers["Location"] == f"/registrations/{registration.id}"
    assert registration.state == S.APPROVED and registration.needs_diet == "Chay"
    participant = db.session.get(Participant, partner_user.participant_id)
    assert (participant.name_latin, participant.rank, participant.locale) == ("Nguyen Thi Huong", "Trung tá", "vi")
    page = partner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert registration.personal_code in page
    assert 'src="data:image/svg+xml' in page
    assert [m.to for m in outbox] == ["huong@example.test"]
    again = partner_client.get(f"/sessions/{session.id}/register").get_data(as_text=True)
    assert f"/registrations/{registration.id}" in again


@pytest.mark.parametrize("missing", ["name_latin", "rank", "unit", "email"])
def test_a_missing_required_field_is_refused(db, partner_client, make_session, missing):
    session = make_session()
    before = counts(db)
    response = partner_client.post(f"/sessions/{session.id}/register", data={**FORM, missing: ""})
    assert response.status_code == 400
    assert "is-invalid" in response.get_data(as_text=True)
    assert counts(db) == before


def test_bad_registrations_are_refused_with_a_translated_message(db, partner_client, partner_user, make_session,
                                                                 make_participant, kh_agency):
    deadline_passed = make_session(registration_deadline=datetime.now(timezone.utc) - timedelta(days=1))
    draft = make_session(status=SessionStatus.DRAFT)
    cancelled = make_session(status=SessionStatus.CANCELLED)
    not_eligible = make_session(eligible_countries="KH,LA")
    open_session = make_session()
    khmer = make_participant(kh_agency, email="chan.dara@example.test")
    before = counts(db)
    closed = partner_client.post(f"/sessions/{deadline_passed.id}/register", data=FORM)
    assert closed.status_code == 409
    assert "Les inscriptions à cette session sont closes." in closed.get_data(as_text=True)
    assert partner_client.post(f"/sessions/{draft.id}/register", data=FORM).status_code == 404
    assert partner_client.get(f"/sessions/{draft.id}/register").status_code == 404
    assert partner_client.post(f"/sessions/{cancelled.id}/register", data=FORM).status_code == 409
    assert partner_client.post(f"/sessions/{not_eligible.id}/register", data=FORM).status_code == 403
    taken = partner_client.post(f"/sessions/{open_session.id}/register", data={**FORM, "email": khmer.email})
    assert taken.status_code == 409
    assert counts(db) == before
    assert partner_client.post(f"/sessions/{open_session.id}/register", data=FORM).status_code == 302
    twice = partner_client.post(f"/sessions/{open_session.id}/register", data=FORM)
    assert twice.status_code == 409 and "déjà inscrit" in twice.get_data(as_text=True)
    assert db.session.scalar(select(Registration.id).where(Registration.session_id == open_session.id))


def test_nominating_an_existing_colleague(db, partner_client, make_session, colleagues):
    session = make_session()
    page = partner_client.get(f"/sessions/{session.id}/nominate").get_data(as_text=True)
    assert all(c.name_latin in page for c in colleagues)
    response = partner_client.post(f"/sessions/{session.id}/nominate", data={
        "participant_id": colleagues[1].id, "needs_diet": "Halal", "locale": "fr"})
    assert response.status_code == 302, response.get_data(as_text=True)
    registration = db.session.scalar(select(Registration))
    assert (registration.participant_id, registration.nominated, registration.state) == (colleagues[1].id, True,
                                                                                        S.PENDING)


def test_nominating_a_new_person_offers_the_existing_namesake_instead_of_a_copy(db, partner_client, make_session,
                                                                                colleagues):
    session = make_session()
    new_person = {**FORM, "name_latin": "TRAN VAN MINH", "email": "minh.tran@example.test", "participant_id": ""}
    before = counts(db)
    offered = partner_client.post(f"/sessions/{session.id}/nominate", data=new_person)
    assert offered.status_code == 409
    html = offered.get_data(as_text=True)
    assert 'data-testid="duplicate-matches"' in html and "Trần Văn Minh" in html
    assert f'name="participant_id" value="{colleagues[0].id}"' in html
    assert counts(db) == before
    confirmed = partner_client.post(f"/sessions/{session.id}/nominate", data={**new_person, "confirm_new": "y"})
    assert confirmed.status_code == 302
    assert counts(db)["participants"] == before["participants"] + 1
    same_email = partner_client.post(f"/sessions/{session.id}/nominate", data={
        **new_person, "name_latin": "Somebody", "email": colleagues[2].email, "confirm_new": "y"})
    assert same_email.status_code == 409 and 'name="confirm_new"' not in same_email.get_data(as_text=True)


def test_nominating_requires_the_details_of_a_new_person(db, partner_client, make_session):
    session = make_session()
    response = partner_client.post(f"/sessions/{session.id}/nominate", data={"participant_id": "", "locale": "fr"})
    assert response.status_code == 400
    assert counts(db)["registrations"] == 0


def test_another_agencys_participant_cannot_be_nominated(db, partner_client, make_session, make_participant,
                                                         kh_agency):
    session = make_session()
    khmer = make_participant(kh_agency)
    before = counts(db)
    tampered = partner_client.post(f"/sessions/{session.id}/nominate", data={"participant_id": khmer.id,
                                                                             "locale": "fr"})
    assert tampered.status_code == 404
    assert partner_client.get(f"/sessions/{session.id}/nominate?participant_id={khmer.id}").status_code == 404
    assert partner_client.post(f"/sessions/{session.id}/nominate", data={"participant_id": "x1"}).status_code == 400
    new_with_khmer_email = partner_client.post(f"/sessions/{session.id}/nominate", data={
        **FORM, "participant_id": "", "name_latin": "Bui Van An", "email": khmer.email})
    assert new_with_khmer_email.status_code == 409
    assert counts(db) == before


def test_agency_list_shows_the_agencys_registrations_with_filters_and_pages(
        app, db, partner_client, partner_user, make_session, make_registration, make_participant, kh_agency,
        vn_agency):
    app.config["ITEMS_PER_PAGE"] = 5
    session = make_session(title_fr="Gestion d'une scène de crime")
    for n in range(7):
        make_registration(session, make_participant(vn_agency, name_latin=f"Officer {n}"),
                          state=S.PENDING if n % 2 else S.APPROVED)
    make_registration(session, make_participant(kh_agency, name_latin="Chan Dara"))
    page = partner_client.get("/registrations").get_data(as_text=True)
    assert page.count("data-registration=") == 5 and "Chan Dara" not in page
    assert "Page 1" in page or "page=2" in page
    second = partner_client.get("/registrations?page=2").get_data(as_text=True)
    assert second.count("data-registration=") == 2
    pending = partner_client.get("/registrations?state=pending").get_data(as_text=True)
    assert pending.count("data-registration=") == 3
    assert partner_client.get("/registrations?state=nonsense").status_code == 200


def test_partner_cancels_with_a_reason_and_the_seat_goes_to_the_waiting_list(
        db, partner_client, make_session, make_registration, colleagues):
    session = make_session(capacity=1)
    approved = make_registration(session, colleagues[0], state=S.APPROVED, personal_code="ABC234")
    waiting = make_registration(session, colleagues[1], state=S.WAITLISTED)
    response = partner_client.post(f"/registrations/{approved.id}/cancel", data={"reason": "Mission au Laos"})
    assert response.status_code == 302
    assert db.session.get(Registration, approved.id).state == S.CANCELLED
    assert db.session.get(Registration, approved.id).reason == "Mission au Laos"
    assert db.session.get(Registration, waiting.id).state == S.APPROVED
    again = partner_client.post(f"/registrations/{approved.id}/cancel", data={})
    assert again.status_code == 409
    page = partner_client.get(f"/registrations/{approved.id}").get_data(as_text=True)
    assert "Mission au Laos" in page and 'data-testid="history"' in page


def test_partner_accepts_or_declines_an_offered_seat(db, partner_client, make_session, make_registration,
                                                     colleagues):
    session = make_session(capacity=2, confirm_promotions=True)
    soon = datetime.now(timezone.utc) + timedelta(hours=10)
    first = make_registration(session, colleagues[0], state=S.WAITLISTED, offer_expires_at=soon)
    second = make_registration(session, colleagues[1], state=S.WAITLISTED, offer_expires_at=soon)
    page = partner_client.get(f"/registrations/{first.id}").get_data(as_text=True)
    assert 'data-testid="seat-offer"' in page
    assert partner_client.post(f"/registrations/{first.id}/accept-offer").status_code == 302
    assert partner_client.post(f"/registrations/{second.id}/decline-offer").status_code == 302
    assert db.session.get(Registration, first.id).state == S.APPROVED
    assert db.session.get(Registration, second.id).state == S.CANCELLED
    assert partner_client.post(f"/registrations/{second.id}/accept-offer").status_code == 409


def test_an_expired_offer_is_not_shown_and_the_scheduled_job_passes_it_on(db, partner_client, make_session,
                                                                          make_registration, colleagues):
    from registrations.tasks import expire_offers

    session = make_session(capacity=1, confirm_promotions=True)
    lapsed = make_registration(session, colleagues[0], state=S.WAITLISTED,
                               offer_expires_at=datetime.now(timezone.utc) - timedelta(minutes=1))
    nxt = make_registration(session, colleagues[1], state=S.WAITLISTED)
    page = partner_client.get(f"/registrations/{lapsed.id}").get_data(as_text=True)
    assert 'data-testid="seat-offer"' not in page
    db.session.expire_all()
    assert db.session.get(Registration, lapsed.id).state == S.WAITLISTED  # opening a page writes nothing
    db.session.rollback()  # the job runs in a session of its own: end this one's read
    assert expire_offers.call_local() == 1
    db.session.expire_all()
    assert db.session.get(Registration, lapsed.id).state == S.CANCELLED
    assert db.session.get(Registration, nxt.id).offer_expires_at is not None


def test_state_changes_need_csrf_and_post(partner_client, make_session, make_registration, colleagues):
    registration = make_registration(make_session(), colleagues[0], state=S.PENDING)
    assert partner_client.post(f"/registrations/{registration.id}/cancel", csrf=False).status_code == 400
    assert partner_client.get(f"/registrations/{registration.id}/cancel").status_code == 405
