"""The account's token page: create (shown once), list, revoke; an admin revokes any token."""

import re
from datetime import timedelta

from sqlalchemy import select

from registrations.clock import local_today
from registrations.models import ApiToken, AuditEvent, RegistrationState


def _create(client, **fields):
    data = {"name": "Personnel system", "scopes": ["read"],
            "expires_on": (local_today() + timedelta(days=30)).isoformat(), **fields}
    return client.post("/account/tokens", data=data)


def test_a_partner_creates_a_token_in_the_browser_and_reads_only_its_agency(
        db, client, partner_client, partner_user, partner_kh_user, make_session, make_registration,
        make_participant):
    session = make_session()
    own = make_registration(session, make_participant(agency=partner_user.agency))
    make_registration(session, make_participant(agency=partner_kh_user.agency), state=RegistrationState.PENDING)
    response = _create(partner_client)
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    secret = re.search(r'value="(ctk_[A-Za-z0-9_-]+)"', html).group(1)
    token = db.session.scalar(select(ApiToken))
    assert token.digest != secret and secret not in token.digest and token.scopes == "read"
    assert secret not in partner_client.get("/account/tokens").get_data(as_text=True)  # shown once
    listed = client.get("/api/v1/registrations", headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert [item["id"] for item in listed["items"]] == [own.id]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.created")) is not None


def test_token_limits_are_refused_with_a_message(db, partner_client):
    too_far = _create(partner_client, expires_on=(local_today() + timedelta(days=400)).isoformat())
    assert too_far.status_code == 400
    assert _create(partner_client, name="").status_code == 400
    assert _create(partner_client, scopes=["admin"]).status_code == 400
    assert db.session.scalar(select(ApiToken)) is None


def test_the_owner_and_an_admin_revoke_but_not_another_account(db, client, partner_client, partner_kh_client,
                                                               admin_client):
    _create(partner_client)
    token = db.session.scalar(select(ApiToken))
    assert partner_kh_client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert admin_client.get("/admin/api-tokens").status_code == 200
    response = admin_client.post(f"/account/tokens/{token.id}/revoke", data={"back": "admin"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/api-tokens")
    db.session.refresh(token)
    assert token.revoked_at is not None
    page = partner_client.get("/account/tokens", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Revoked" in page and f"/account/tokens/{token.id}/revoke" not in page


def test_the_rate_limit_counts_per_token(app, client, partner_user, organiser_user, make_token):
    app.config["API_LIMIT_PER_TOKEN"] = "3 per minute"
    first, second = make_token(partner_user), make_token(organiser_user)
    assert [client.get("/api/v1/me", headers=first).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get("/api/v1/me", headers=second).status_code == 200
    limited = client.get("/api/v1/me", headers={**first, "Accept-Language": "en"})
    assert limited.content_type == "application/problem+json" and limited.get_json()["status"] == 429


def _revoke_forms(html: str) -> list[dict]:
    """Each revoke form of a token table: its action and the fields it sends."""
    forms = re.findall(r'<form method="post" action="([^"]*/revoke)">(.*?)</form>', html, re.S)
    return [{"action": action, "fields": dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', body)),
             "button": re.search(r"<button[^>]*>(.*?)</button>", body, re.S).group(1)} for action, body in forms]


def test_both_token_tables_revoke_through_the_shared_button(db, partner_client, admin_client):
    """The account's page and the admin's list draw the same table; the admin's revoke form sends
    back to the admin's list, the account's to the account's page."""
    _create(partner_client, name="Personnel system")
    _create(partner_client, name="Statistics")
    mine = partner_client.get("/account/tokens", headers={"Accept-Language": "en"}).get_data(as_text=True)
    listed = admin_client.get("/admin/api-tokens", headers={"Accept-Language": "en"}).get_data(as_text=True)
    own_forms, admin_forms = _revoke_forms(mine), _revoke_forms(listed)
    assert len(own_forms) == len(admin_forms) == 2
    assert [set(form["fields"]) for form in own_forms] == [{"csrf_token"}] * 2
    assert [form["fields"].get("back") for form in admin_forms] == ["admin"] * 2
    assert {form["button"] for form in own_forms} == {form["button"] for form in admin_forms}
    for html in (mine, listed):
        assert "<th scope=\"col\">Starts with</th>" in html  # one table, the same columns
    assert "<th scope=\"col\">Account</th>" in listed and "<th scope=\"col\">Account</th>" not in mine

    first = admin_forms[0]
    back = admin_client.post(first["action"], data=first["fields"])
    assert back.status_code == 302 and back.headers["Location"].endswith("/admin/api-tokens")
    second = own_forms[1] if own_forms[1]["action"] != first["action"] else own_forms[0]
    back = partner_client.post(second["action"], data=second["fields"])
    assert back.status_code == 302 and back.headers["Location"].endswith("/account/tokens")
    assert db.session.scalars(select(ApiToken.revoked_at)).all().count(None) == 0
