"""A Cambodian partner's token never reads or changes Vietnamese data: every API route, with
every id of the other agency, read and posted to."""

import re

from sqlalchemy import func, select

from registrations.models import AuditEvent, Certificate, Participant, Registration, RegistrationState


def _counts(db):
    return (db.session.scalar(select(func.count()).select_from(Registration)),
            db.session.scalar(select(func.count()).select_from(Participant)),
            tuple(db.session.scalars(select(Registration.state).order_by(Registration.id))))


def test_a_cambodian_token_never_reaches_vietnamese_data(app, db, client, make_session, make_registration,
                                                        make_participant, partner_user, partner_kh_user,
                                                        make_token):
    session = make_session()
    vietnamese = [make_participant(agency=partner_user.agency, name_latin=f"Nguyen Van Bi Mat {n}",
                                   email=f"bimat{n}@example.test") for n in range(3)]
    registrations = [make_registration(session, person, state=state) for person, state in
                     zip(vietnamese, (RegistrationState.APPROVED, RegistrationState.PENDING,
                                      RegistrationState.WAITLISTED), strict=True)]
    certificate = Certificate(registration_id=registrations[0].id, serial="HAN-2026-0001", code="c" * 40,
                              facts={"participant_name_latin": "Nguyen Van Bi Mat 0"})
    db.session.add(certificate)
    db.session.commit()
    own = make_registration(session, make_participant(agency=partner_kh_user.agency, name_latin="Sok Dara"))
    headers = make_token(partner_kh_user)
    before = _counts(db)

    listed = client.get("/api/v1/registrations", headers=headers).get_json()["items"]
    assert [item["id"] for item in listed] == [own.id]
    people = client.get("/api/v1/participants", headers=headers).get_json()["items"]
    assert all(item["agency_id"] == partner_kh_user.agency_id for item in people)
    assert client.get("/api/v1/registrations", query_string={"session_id": session.id},
                      headers=headers).get_json()["items"][0]["id"] == own.id

    ids = {r.id for r in registrations} | {p.id for p in vietnamese} | {partner_user.participant_id, certificate.id}
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")]
    assert len(rules) >= 9
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for other in sorted(ids) if rule.arguments else [None]:
                path = rule.rule if other is None else re.sub(r"<[^>]+>", str(other), rule.rule)
                body = {"participant_id": other or vietnamese[0].id, "registration_ids": sorted(ids),
                        "action": "cancel"} if method == "POST" else None
                response = client.open(path, method=method, headers=headers, json=body)
                text = response.get_data(as_text=True)
                assert "Bi Mat" not in text and "bimat" not in text, (method, path)
                if method == "POST":
                    assert response.status_code in (403, 404, 409, 422), (method, path, response.status_code)
    for person in vietnamese:  # the real session, another agency's people
        response = client.post(f"/api/v1/sessions/{session.id}/registrations", headers=headers,
                               json={"participant_id": person.id})
        assert response.status_code == 404 and "Bi Mat" not in response.get_data(as_text=True)
    assert client.get("/api/v1/certificates", headers=headers).get_json()["items"] == []
    assert _counts(db) == before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "api_token.write")) == 0
