"""The API: its OpenAPI document, the catalogue's sessions, tokens, scopes, problems, ETags,
cursors and idempotent posts."""

import pytest
from openapi_spec_validator import validate

from registrations.models import ApiToken, AuditEvent, Registration, RegistrationState, SessionStatus


def test_the_openapi_document_validates_and_names_every_resource(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert document["openapi"] == "3.1.0"
    for path in ("/api/v1/sessions", "/api/v1/sessions/{session_id}", "/api/v1/registrations",
                 "/api/v1/sessions/{session_id}/registrations", "/api/v1/participants"):
        assert path in document["paths"]
    assert "bearerAuth" in document["components"]["securitySchemes"]


def test_the_docs_page_lists_the_operations_without_scripts(client):
    response = client.get("/api/v1/docs", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "GET /api/v1/sessions" in html and "POST /api/v1/sessions/{session_id}/registrations" in html
    assert "<script>" not in html and "cdn" not in html.lower()


def test_sessions_list_what_the_catalogue_lists(client, make_session):
    shown = [make_session(title_fr="Lutte contre la traite", city="Phnom Penh", country="KH"),
             make_session(title_fr="Faux médicaments", city="Hà Nội")]
    make_session(title_fr="Brouillon", status=SessionStatus.DRAFT)
    items = client.get("/api/v1/sessions").get_json()["items"]
    assert sorted(item["id"] for item in items) == sorted(s.id for s in shown)
    page = client.get("/sessions").get_data(as_text=True)
    assert all(s.title_fr in page for s in shown) and "Brouillon" not in page
    found = client.get("/api/v1/sessions", query_string={"q": "ha noi"}).get_json()["items"]
    assert [item["id"] for item in found] == [shown[1].id]
    assert client.get("/api/v1/sessions", query_string={"country": "KH"}).get_json()["items"][0]["city"] == \
        "Phnom Penh"


def test_cursor_pages_neither_skip_nor_repeat(client, make_session):
    made = {make_session().id for _ in range(5)}
    seen, cursor = [], None
    while True:
        body = client.get("/api/v1/sessions", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})}
                          ).get_json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(made) and len(seen) == 5
    bad = client.get("/api/v1/sessions", query_string={"cursor": "not-a-cursor"}, headers={"Accept-Language": "fr"})
    assert bad.status_code == 400 and bad.content_type == "application/problem+json"
    assert "curseur" in bad.get_json()["detail"]


def test_session_detail_has_days_and_seats_left(client, make_session, make_registration):
    session = make_session(days=2, capacity=10)
    make_registration(session)
    body = client.get(f"/api/v1/sessions/{session.id}").get_json()
    assert body["seats_left"] == 9 and len(body["days"]) == 2
    draft = make_session(status=SessionStatus.DRAFT)
    missing = client.get(f"/api/v1/sessions/{draft.id}", headers={"Accept-Language": "km"})
    assert missing.status_code == 404 and missing.content_type == "application/problem+json"
    assert missing.get_json()["status"] == 404


def test_etag_answers_not_modified(client, make_session):
    make_session()
    first = client.get("/api/v1/sessions")
    again = client.get("/api/v1/sessions", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_problems_speak_the_callers_language(client):
    for language, word in (("en", "valid"), ("fr", "valide"), ("vi", "hợp lệ")):
        response = client.get("/api/v1/sessions", query_string={"limit": "x"}, headers={"Accept-Language": language})
        assert response.status_code == 422
        body = response.get_json()
        assert word in body["detail"] and body["errors"]["query"]["limit"]


def test_anonymous_and_bad_tokens_get_401(client, partner_user):
    assert client.get("/api/v1/registrations").status_code == 401
    response = client.get("/api/v1/registrations", headers={"Authorization": "Bearer ctk_nope"})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_session_cookie_never_authenticates_the_api(app, partner_client, make_session):
    session = make_session()
    assert partner_client.get("/api/v1/registrations").status_code == 401
    response = partner_client.post(f"/api/v1/sessions/{session.id}/registrations", json={"participant_id": 1},
                                   csrf=False)
    assert response.status_code == 401
    assert Registration.query.count() == 0


def test_revoked_and_expired_tokens_stop_working(client, db, partner_user, make_token):
    headers = make_token(partner_user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token = ApiToken.query.one()
    token.revoked_at = token.created_at
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_read_token_cannot_write(client, partner_user, make_token, make_session):
    session = make_session()
    headers = make_token(partner_user, scopes=("read",))
    response = client.post(f"/api/v1/sessions/{session.id}/registrations", headers=headers,
                           json={"participant_id": partner_user.participant_id})
    assert response.status_code == 403
    assert Registration.query.count() == 0


def test_nominating_through_the_api_runs_the_rules_and_is_audited(client, db, partner_user, make_token,
                                                                   make_session):
    session = make_session(auto_approve=True)
    headers = make_token(partner_user)
    person = {"name_latin": "Nguyen Van An", "email": "an@example.test", "name_native": "Nguyễn Văn An"}
    response = client.post(f"/api/v1/sessions/{session.id}/registrations", headers=headers,
                           json={"person": person})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "approved" and body["participant"]["name_native"] == "Nguyễn Văn An"
    again = client.post(f"/api/v1/sessions/{session.id}/registrations", headers={**headers, "Accept-Language": "en"},
                        json={"participant_id": body["participant"]["id"]})
    assert again.status_code == 409 and "already registered" in again.get_json()["detail"]
    assert AuditEvent.query.filter_by(action="api_token.write").count() == 1
    assert ApiToken.query.one().last_used_at is not None


def test_idempotency_key_replays_the_first_answer(client, partner_user, make_token, make_session):
    session = make_session()
    headers = {**make_token(partner_user), "Idempotency-Key": "nomination-42"}
    payload = {"person": {"name_latin": "Tran Thi Mai", "email": "mai@example.test"}}
    first = client.post(f"/api/v1/sessions/{session.id}/registrations", headers=headers, json=payload)
    second = client.post(f"/api/v1/sessions/{session.id}/registrations", headers=headers, json=payload)
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json() and second.headers["Idempotent-Replayed"] == "true"
    assert Registration.query.count() == 1
    other = client.post(f"/api/v1/registrations/{first.get_json()['id']}/cancel", headers=headers, json={})
    assert other.status_code == 422


def test_organiser_decides_in_bulk(client, organiser_user, make_token, make_session, make_registration):
    session = make_session()
    pending = [make_registration(session, state=RegistrationState.PENDING) for _ in range(3)]
    response = client.post(f"/api/v1/sessions/{session.id}/decisions", headers=make_token(organiser_user),
                           json={"registration_ids": [r.id for r in pending], "action": "approve"})
    assert response.status_code == 200
    assert [item["state"] for item in response.get_json()["items"]] == ["approved"] * 3


@pytest.mark.parametrize("body", [{}, {"participant_id": 1, "person": {"name_latin": "A", "email": "a@b.test"}},
                                  {"person": {"name_latin": "A\u202eB", "email": "a@b.test"}}, [], "x"])
def test_bad_nominations_are_4xx_and_write_nothing(client, partner_user, make_token, make_session, body):
    session = make_session()
    response = client.post(f"/api/v1/sessions/{session.id}/registrations", headers=make_token(partner_user),
                           json=body)
    assert 400 <= response.status_code < 500
    assert response.content_type == "application/problem+json"
    assert Registration.query.count() == 0
