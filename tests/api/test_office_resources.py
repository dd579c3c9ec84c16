"""The office's resources through the API: publishing (and its webhook), attendance marks in bulk,
certificates (metadata, PDF, revoke, public verification) and evaluation results."""

from datetime import date, timedelta

from sqlalchemy import select

from registrations.models import (
    Attendance,
    Certificate,
    CertificateStatus,
    SessionDay,
    SessionStatus,
    WebhookDelivery,
    WebhookEndpoint,
)


def test_organiser_publishes_a_draft_and_the_event_is_recorded(db, client, organiser_user, make_token,
                                                               make_session):
    db.session.add(WebhookEndpoint(url="http://203.0.113.9/hook", secret="whsec_" + "A" * 32,
                                   events="session.published", active=True))
    db.session.commit()
    draft = make_session(status=SessionStatus.DRAFT)
    response = client.post(f"/api/v1/sessions/{draft.id}/status", headers=make_token(organiser_user),
                           json={"status": "published"})
    assert response.status_code == 200 and response.get_json()["status"] == "published"
    assert client.get("/api/v1/sessions").get_json()["items"][0]["id"] == draft.id
    assert db.session.scalar(select(WebhookDelivery.event)) == "session.published"
    refused = client.post(f"/api/v1/sessions/{draft.id}/status", headers=make_token(organiser_user),
                          json={"status": "cancelled"})
    assert refused.status_code == 400  # a cancellation needs its reason


def test_attendance_marks_in_bulk_are_idempotent(db, client, organiser_user, make_token, make_session,
                                                 make_registration):
    session = make_session(days=2, start=date.today() - timedelta(days=1))
    people = [make_registration(session) for _ in range(3)]
    day_id = db.session.scalar(select(SessionDay.id).where(SessionDay.session_id == session.id)
                               .order_by(SessionDay.date))
    headers = {**make_token(organiser_user), "Idempotency-Key": "sheet-1"}
    marks = {"marks": [{"registration_id": r.id, "status": s} for r, s in
                       zip(people, ("present", "late", "absent"), strict=True)]}
    url = f"/api/v1/sessions/{session.id}/days/{day_id}/attendance"
    first = client.post(url, headers=headers, json=marks)
    assert first.status_code == 200, first.get_json()
    assert [m["status"] for m in first.get_json()["marks"]] == ["present", "late", "absent"]
    again = client.post(url, headers=headers, json=marks)
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    plain_again = client.post(url, headers=make_token(organiser_user), json=marks)
    assert plain_again.status_code == 200
    assert db.session.query(Attendance).count() == 3
    read = client.get(url, headers=headers).get_json()
    assert read["day"]["id"] == day_id and len(read["marks"]) == 3


def test_certificates_read_revoke_and_verify(db, client, organiser_user, partner_user, make_token, make_session,
                                            make_registration, make_participant):
    session = make_session()
    registration = make_registration(session, make_participant(agency=partner_user.agency))
    certificate = Certificate(registration_id=registration.id, serial="HAN-2026-0042", code="v" * 40,
                              facts={"participant_name_latin": "Nguyen Thi Huong", "issue_date": "2026-12-01"},
                              pdf=b"%PDF-1.7 stored")
    db.session.add(certificate)
    db.session.commit()
    partner = make_token(partner_user)
    listed = client.get("/api/v1/certificates", headers=partner).get_json()["items"]
    assert [item["serial"] for item in listed] == ["HAN-2026-0042"]
    pdf = client.get(f"/api/v1/certificates/{certificate.id}/pdf", headers=partner)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.post(f"/api/v1/certificates/{certificate.id}/revoke", headers=partner,
                       json={"reason": "x"}).status_code == 403
    revoked = client.post(f"/api/v1/certificates/{certificate.id}/revoke", headers=make_token(organiser_user),
                          json={"reason": "Erreur de nom"})
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    assert db.session.get(Certificate, certificate.id).status == CertificateStatus.REVOKED
    public = client.get(f"/api/v1/verify/{'v' * 40}").get_json()
    assert public["status"] == "revoked" and public["revoke_reason"] == "Erreur de nom"
    assert client.get("/api/v1/verify/unknown").status_code == 404
    assert client.get(f"/api/v1/certificates/{certificate.id}/pdf", headers=partner).status_code == 410


def test_evaluation_results_for_the_office_only(client, organiser_user, partner_user, make_token, make_session):
    session = make_session()
    assert client.get(f"/api/v1/sessions/{session.id}/evaluation", headers=make_token(partner_user)).status_code \
        == 403
    body = client.get(f"/api/v1/sessions/{session.id}/evaluation", headers=make_token(organiser_user)).get_json()
    assert body["responses"] == 0 and body["response_rate"] == 0 and isinstance(body["questions"], list)


def test_organiser_creates_and_updates_a_session(db, client, organiser_user, partner_user, make_token):
    headers = {**make_token(organiser_user), "Accept-Language": "en"}
    body = {"title_fr": "Lutte contre la fraude documentaire", "kind": "course", "theme": "drugs",
            "city": "Vientiane", "country": "LA", "start_date": "2030-03-02", "end_date": "2030-03-04",
            "capacity": 12, "eligible_countries": ["LA", "KH"], "quotas": [{"seats": 4, "country": "KH"}]}
    assert client.post("/api/v1/sessions", headers=make_token(partner_user), json=body).status_code == 403
    created = client.post("/api/v1/sessions", headers=headers, json=body)
    assert created.status_code == 201, created.get_json()
    session = created.get_json()
    assert session["status"] == "draft" and len(session["days"]) == 3
    changed = client.patch(f"/api/v1/sessions/{session['id']}", headers=headers, json={"capacity": 20})
    assert changed.status_code == 200 and changed.get_json()["capacity"] == 20
    assert changed.get_json()["title"] == "Lutte contre la fraude documentaire"
    wrong = client.patch(f"/api/v1/sessions/{session['id']}", headers=headers,
                         json={"end_date": "2030-03-01"})
    assert wrong.status_code == 422 and "end_date" in wrong.get_json()["errors"]["json"]
    assert "before the start" in wrong.get_json()["detail"]
