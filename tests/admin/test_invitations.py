"""Invitation and password-reset links: the emailed link works once, for seven days, untampered."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registrations.auth.invitations import INVITATION, RESET, LinkError, make_token, user_for_token
from registrations.models import AuditEvent, Role, User, utcnow
from tests.admin.helpers import link_in

NEW_PASSWORD = "a-brand-new-password"


def _invite(admin_client, agency, email="new.partner@example.test", locale="fr"):
    response = admin_client.post("/admin/users/new", data={
        "email": email, "name": "Chan Dara", "name_native": "ចាន់ ដារា", "role": "partner",
        "agency": str(agency.id), "locale": locale})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _set_password(client, path, password=NEW_PASSWORD):
    return client.post(path, data={"new_password": password, "confirm": password})


def test_invitation_flow_end_to_end(app, db, admin_client, client, outbox, make_agency):
    agency = make_agency("KH", code="KH-AHT")
    _invite(admin_client, agency)
    assert len(outbox) == 1
    mail = outbox[0]
    assert mail.to == "new.partner@example.test"
    assert "Chan Dara" in mail.body
    path = link_in(mail)

    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "new.partner@example.test" in page.get_data(as_text=True)

    done = _set_password(client, path)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert done.headers["Referrer-Policy"] == "no-referrer"

    login = client.post("/login", data={"email": "new.partner@example.test", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert "Chan Dara" in client.get("/").get_data(as_text=True)

    user = db.session.scalar(select(User).where(User.email == "new.partner@example.test"))
    assert user.role == Role.PARTNER and user.agency_id == agency.id and user.participant_id is not None
    assert not user.invitation_pending
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == user.id)))
    assert {"user.created", "user.invitation_sent", "user.invitation_accepted"} <= actions

    again = app.test_client().get(path)
    assert again.status_code == 410
    assert "déjà été utilisé" in again.get_data(as_text=True)
    assert again.headers["Referrer-Policy"] == "no-referrer"
    reuse = _set_password(app.test_client(), path, "another-password-1")
    assert reuse.status_code == 410
    assert user.check_password(NEW_PASSWORD)


def test_invitation_email_is_in_the_recipients_language(admin_client, outbox, make_agency):
    _invite(admin_client, make_agency("VN"), email="vi.partner@example.test", locale="vi")
    assert outbox[0].locale == "vi"
    assert "Kính gửi" in outbox[0].body


def test_an_expired_link_is_refused(db, client, make_user):
    user = make_user(Role.ORGANISER, password="")
    token = make_token(user, INVITATION, now=utcnow() - timedelta(days=7, minutes=1))
    db.session.commit()
    response = client.get(f"/account/invitation/{token}")
    assert response.status_code == 410
    assert "expiré" in response.get_data(as_text=True)
    assert _set_password(client, f"/account/invitation/{token}").status_code == 410
    assert not user.check_password(NEW_PASSWORD)


def test_a_link_expires_after_seven_days_not_before(db, make_user):
    user = make_user(Role.ORGANISER)
    token = make_token(user, RESET)
    db.session.commit()
    assert user_for_token(token, RESET, now=utcnow() + timedelta(days=6, hours=23)).id == user.id
    with pytest.raises(LinkError) as error:
        user_for_token(token, RESET, now=utcnow() + timedelta(days=7, minutes=1))
    assert error.value.status == 410


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    lambda token: "x" + token,
    lambda token: "not-a-token",
])
def test_a_tampered_link_is_refused(db, client, make_user, tamper):
    user = make_user(Role.ORGANISER)
    token = make_token(user, INVITATION)
    db.session.commit()
    response = client.get(f"/account/invitation/{tamper(token)}")
    assert response.status_code == 400
    assert "n’est pas valide" in response.get_data(as_text=True) or "pas valide" in response.get_data(as_text=True)


def test_a_reset_link_is_no_invitation_link(db, client, make_user):
    user = make_user(Role.ORGANISER)
    token = make_token(user, RESET)
    db.session.commit()
    assert client.get(f"/account/invitation/{token}").status_code == 400
    assert client.get(f"/account/reset/{token}").status_code == 200


def test_sending_again_kills_the_former_link(db, admin_client, client, outbox, make_agency):
    _invite(admin_client, make_agency("LA"))
    first = link_in(outbox[0])
    user = db.session.scalar(select(User).where(User.email == "new.partner@example.test"))
    assert admin_client.post(f"/admin/users/{user.id}/resend").status_code == 302
    assert len(outbox) == 2
    second = link_in(outbox[1])
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_resend_is_refused_once_the_password_is_chosen(db, admin_client, make_user):
    user = make_user(Role.PARTNER)
    response = admin_client.post(f"/admin/users/{user.id}/resend")
    assert response.status_code == 409
    assert "réinitialisation" in response.get_data(as_text=True)


def test_a_deactivated_account_cannot_use_its_link(db, client, admin_client, outbox, make_agency):
    _invite(admin_client, make_agency("KH"))
    path = link_in(outbox[0])
    user = db.session.scalar(select(User).where(User.email == "new.partner@example.test"))
    assert admin_client.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    assert client.get(path).status_code == 410


def test_password_reset_by_an_admin(app, db, admin_client, outbox, make_user):
    user = make_user(Role.PARTNER, email="forgetful@example.test")
    logged_in = app.test_client().login_as(user)
    assert logged_in.get("/account/password").status_code == 200
    assert admin_client.post(f"/admin/users/{user.id}/reset").status_code == 302
    mail = outbox[-1]
    assert mail.to == "forgetful@example.test"
    path = link_in(mail)
    assert path.startswith("/account/reset/")
    client = app.test_client()
    page = client.get(path)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert _set_password(client, path).status_code == 302
    assert client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302
    assert logged_in.get("/account/password").status_code == 302  # the former session has ended
    assert app.test_client().get(path).status_code == 410
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "user.password_reset")) == 1


def test_a_too_short_password_is_refused_and_the_link_stays_usable(db, client, make_user):
    user = make_user(Role.ORGANISER)
    token = make_token(user, RESET)
    db.session.commit()
    response = client.post(f"/account/reset/{token}", data={"new_password": "short", "confirm": "short"})
    assert response.status_code == 400
    assert "10" in response.get_data(as_text=True)
    assert client.get(f"/account/reset/{token}").status_code == 200
