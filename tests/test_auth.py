"""Login, logout, throttling, password change and the safety of `next`."""

import pytest

from registrations.models import AuditEvent, Role, User
from tests.conftest import TEST_PASSWORD


def login(client, email, password=TEST_PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_login_page_has_labelled_fields(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<label class="form-label" for="email">' in page
    assert '<label class="form-label" for="password">' in page
    assert 'name="csrf_token"' in page


def test_each_role_logs_in_and_sees_its_navigation(app, admin_user, organiser_user, partner_user):
    for user, expected in ((admin_user, "Administrat"), (organiser_user, "Organis"), (partner_user, "Partenaire")):
        client = app.test_client()
        response = login(client, user.email)
        assert response.status_code == 302 and response.headers["Location"] == "/"
        page = client.get("/").get_data(as_text=True)
        assert 'data-testid="whoami"' in page
        assert expected in page  # the role label, in French by default
        assert client.get("/account/password").status_code == 200


def test_unknown_email_and_wrong_password_get_the_same_message(client, partner_user):
    unknown = login(client, "nobody@example.test")
    wrong = login(client, partner_user.email, "not-the-password")
    assert unknown.status_code == wrong.status_code == 401
    message = "Adresse électronique ou mot de passe incorrect."
    assert message in unknown.get_data(as_text=True)
    assert message in wrong.get_data(as_text=True)


def test_email_is_case_insensitive(client, partner_user):
    assert login(client, partner_user.email.upper()).status_code == 302


def test_deactivated_account_cannot_log_in_and_its_sessions_end(app, db, client, partner_user):
    logged_in = app.test_client().login_as(partner_user)
    assert logged_in.get("/account/password").status_code == 200
    partner_user.active = False
    db.session.commit()
    response = login(client, partner_user.email)
    assert response.status_code == 403
    assert "désactivé" in response.get_data(as_text=True)
    assert logged_in.get("/account/password").status_code == 302  # the open session has ended


def test_partner_of_an_inactive_agency_is_refused(db, client, partner_user):
    partner_user.agency.active = False
    db.session.commit()
    response = login(client, partner_user.email)
    assert response.status_code == 403
    assert "agence" in response.get_data(as_text=True)


def test_a_partner_cannot_exist_without_an_agency(db, make_user):
    user = make_user(Role.PARTNER)
    user.agency_id = None
    with pytest.raises(Exception, match="(?i)check|constraint"):
        db.session.commit()
    db.session.rollback()


def test_missing_csrf_token_is_refused(client, partner_user):
    response = client.post("/login", data={"email": partner_user.email, "password": TEST_PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert "jeton de sécurité" in response.get_data(as_text=True)


def test_malformed_and_overlong_posts_are_refused(client):
    assert login(client, "").status_code == 400
    response = login(client, "a" * 300 + "@example.test")
    assert response.status_code == 400
    assert "254" in response.get_data(as_text=True)


def test_login_is_throttled_per_account(client, partner_user):
    for _ in range(5):
        assert login(client, partner_user.email, "wrong-password").status_code == 401
    response = login(client, partner_user.email, TEST_PASSWORD)
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)


def test_login_is_throttled_per_client_address(app, client):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    for n in range(3):
        assert login(client, f"someone{n}@example.test", "wrong").status_code == 401
    assert login(client, "another@example.test", "wrong").status_code == 429


def test_successful_logins_do_not_count_against_the_throttle(client, partner_user):
    for _ in range(7):
        assert login(client, partner_user.email).status_code == 302


@pytest.mark.parametrize("target,expected", [
    ("/account/password", "/account/password"),
    ("https://evil.example/", "/"),
    ("//evil.example/path", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_redirects_only_to_paths_of_this_site(client, partner_user, target, expected):
    response = login(client, partner_user.email, next=target)
    assert response.headers["Location"] == expected


def test_logout_is_post_only(partner_client):
    assert partner_client.get("/logout").status_code == 405
    assert partner_client.post("/logout").status_code == 302
    assert partner_client.get("/account/password").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client, partner_user):
    response = login(client, partner_user.email)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_in_production(database_url, monkeypatch):
    from app import create_app

    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    app = create_app({"APP_ENV": "production", "SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    from app import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"APP_ENV": "production"})


def test_change_password(db, partner_client, partner_user, app):
    other = app.test_client().login_as(partner_user)
    response = partner_client.post("/account/password", data={
        "current_password": TEST_PASSWORD, "new_password": "a-new-long-password", "confirm": "a-new-long-password"})
    assert response.status_code == 302
    user = db.session.get(User, partner_user.id)
    assert user.check_password("a-new-long-password")
    assert partner_client.get("/account/password").status_code == 200  # this session stays
    assert other.get("/account/password").status_code == 302  # other sessions end
    assert db.session.query(AuditEvent).filter_by(action="user.password_changed").count() == 1


def test_change_password_refuses_a_wrong_current_password(db, partner_client, partner_user):
    response = partner_client.post("/account/password", data={
        "current_password": "nope", "new_password": "a-new-long-password", "confirm": "a-new-long-password"})
    assert response.status_code == 400
    assert "mot de passe actuel" in response.get_data(as_text=True)
    assert db.session.get(User, partner_user.id).check_password(TEST_PASSWORD)


def test_change_password_refuses_a_short_or_mismatched_one(partner_client):
    short = partner_client.post("/account/password", data={
        "current_password": TEST_PASSWORD, "new_password": "short", "confirm": "short"})
    assert short.status_code == 400
    mismatch = partner_client.post("/account/password", data={
        "current_password": TEST_PASSWORD, "new_password": "long-enough-one", "confirm": "long-enough-two"})
    assert mismatch.status_code == 400
