"""Cancelling once attendance has started: the partner requests, the office confirms or refuses."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from registrations.enrolment import cancel_requests
from registrations.enrolment.errors import RegistrationError
from registrations.models import Agency, AuditEvent, Registration
from registrations.models import RegistrationState as S
from registrations.transaction import run
from tests.registrations.conftest import counts


@pytest.fixture
def running(db, make_session, make_participant, make_registration, partner_user):
    """A session that began yesterday (1 seat), an approved registration of the partner's agency,
    and a colleague waiting for the seat."""
    session = make_session(capacity=1, start=date.today() - timedelta(days=1))
    agency = db.session.get(Agency, partner_user.agency_id)
    seated = make_registration(session, make_participant(agency, name_latin="Tran Van An"), state=S.APPROVED,
                               created_by_id=partner_user.id, nominated=True)
    waiting = make_registration(session, make_participant(agency), state=S.WAITLISTED, waitlist_rank=1)
    return session, seated, waiting


def _state(db, registration):
    db.session.expire_all()
    return db.session.get(Registration, registration.id)


def test_a_partner_cannot_cancel_once_attendance_started_but_can_ask(db, running, partner_client, outbox):
    _session, seated, _waiting = running
    before = counts(db)
    page = partner_client.get(f"/registrations/{seated.id}", headers={"Accept-Language": "en"})
    assert "Request the cancellation" in page.get_data(as_text=True)
    no_reason = partner_client.post(f"/registrations/{seated.id}/cancel", data={"reason": ""})
    assert no_reason.status_code == 400 and counts(db) == before
    asked = partner_client.post(f"/registrations/{seated.id}/cancel", data={"reason": "Mission urgente"})
    assert asked.status_code == 302
    registration = _state(db, seated)
    assert registration.state == S.APPROVED and registration.cancel_request_reason == "Mission urgente"
    shown = partner_client.get(f"/registrations/{seated.id}", headers={"Accept-Language": "fr"}).get_data(
        as_text=True)
    assert 'data-testid="cancel-request"' in shown and "Mission urgente" in shown
    assert any("Mission urgente" in m.body for m in outbox)
    again = partner_client.post(f"/registrations/{seated.id}/cancel", data={"reason": "Encore"})
    assert again.status_code == 409


def test_the_service_refuses_a_partner_direct_cancellation(db, running, partner_user):
    from registrations.enrolment import services
    _session, seated, _waiting = running
    with pytest.raises(RegistrationError) as refused:
        run(services.cancel, seated.id, agency_id=partner_user.agency_id, actor=partner_user)
    assert refused.value.status == 409
    assert _state(db, seated).state == S.APPROVED


def test_the_office_confirms_and_the_seat_passes_on(db, running, partner_user, organiser_user, organiser_client,
                                                   outbox):
    _session, seated, waiting = running
    run(cancel_requests.request_cancellation, seated.id, agency_id=partner_user.agency_id, actor=partner_user,
        reason="Mission urgente")
    page = organiser_client.get(f"/registrations/{seated.id}", headers={"Accept-Language": "km"})
    html = page.get_data(as_text=True)
    assert f"/manage/registrations/{seated.id}/cancel-request/confirm" in html and "Mission urgente" in html
    listing = organiser_client.get(f"/manage/sessions/{_session.id}/registrations").get_data(as_text=True)
    assert 'data-testid="cancel-requested"' in listing
    confirmed = organiser_client.post(f"/manage/registrations/{seated.id}/cancel-request/confirm")
    assert confirmed.status_code == 302
    registration = _state(db, seated)
    assert registration.state == S.CANCELLED and registration.reason == "Mission urgente"
    assert registration.cancel_requested_at is None
    assert _state(db, waiting).state == S.APPROVED
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == seated.id)))
    assert {"registration.cancel_request", "registration.cancel_request_confirmed"} <= actions


def test_the_office_refuses_with_a_reason(db, running, partner_user, organiser_client, outbox):
    _session, seated, waiting = running
    run(cancel_requests.request_cancellation, seated.id, agency_id=partner_user.agency_id, actor=partner_user,
        reason="Mission urgente")
    url = f"/manage/registrations/{seated.id}/cancel-request/refuse"
    assert organiser_client.post(url, data={"refusal": ""}).status_code == 400
    refused = organiser_client.post(url, data={"refusal": "Déjà deux jours suivis"})
    assert refused.status_code == 302
    registration = _state(db, seated)
    assert registration.state == S.APPROVED and registration.cancel_requested_at is None
    assert _state(db, waiting).state == S.WAITLISTED
    assert any("Déjà deux jours suivis" in m.body for m in outbox)
    assert organiser_client.post(url, data={"refusal": "x"}).status_code == 409  # nothing left to refuse


def test_partners_cannot_answer_requests(db, running, partner_user, partner_client):
    _session, seated, _waiting = running
    run(cancel_requests.request_cancellation, seated.id, agency_id=partner_user.agency_id, actor=partner_user,
        reason="Mission urgente")
    assert partner_client.post(f"/manage/registrations/{seated.id}/cancel-request/confirm").status_code in (403, 404)
    assert _state(db, seated).state == S.APPROVED


def test_before_the_session_a_partner_still_cancels_directly(db, make_session, make_registration,
                                                             make_participant, partner_user, partner_client):
    session = make_session(start=date.today() + timedelta(days=10))
    agency = db.session.get(Agency, partner_user.agency_id)
    registration = make_registration(session, make_participant(agency), state=S.APPROVED)
    assert partner_client.post(f"/registrations/{registration.id}/cancel", data={"reason": ""}).status_code == 302
    assert _state(db, registration).state == S.CANCELLED
