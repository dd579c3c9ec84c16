"""Server-side logins: a login the server ends is ended everywhere, copied cookies included."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registrations.auth.logins import SESSION_KEY, digest
from registrations.models import AuditEvent, Login, utcnow
from tests.conftest import TEST_PASSWORD


def login(client, email, password=TEST_PASSWORD):
    return client.post("/login", data={"email": email, "password": password}, headers={"User-Agent": "Browser A"})


def logins_of(db, user_id: int) -> list[Login]:
    db.session.expire_all()
    return list(db.session.scalars(select(Login).where(Login.user_id == user_id)))


def copy_of(app, client):
    """A second client holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_logging_in_records_the_login(app, db, client, partner_user):
    assert login(client, partner_user.email).status_code == 302
    (row,) = logins_of(db, partner_user.id)
    assert row.user_agent == "Browser A" and row.address == "127.0.0.1"
    assert row.created_at == row.last_seen_at
    with client.session_transaction() as session:
        token = session[SESSION_KEY]
    assert row.id == digest(token) != token  # the cookie's token is never stored


def test_a_cookie_copied_before_logout_opens_nothing_after(app, db, client, partner_user):
    login(client, partner_user.email)
    thief = copy_of(app, client)
    assert thief.get("/registrations").status_code == 200
    assert client.post("/logout").status_code == 302
    assert logins_of(db, partner_user.id) == []
    response = thief.get("/registrations")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_session_without_a_login_row_is_anonymous(app, db, client, partner_user):
    login(client, partner_user.email)
    with client.session_transaction() as session:
        session[SESSION_KEY] = "forged-token"
    assert client.get("/registrations").status_code == 302


def test_a_login_of_another_account_does_not_open_this_one(app, db, client, partner_user, partner_kh_user):
    login(client, partner_kh_user.email)
    with client.session_transaction() as session:
        session["_user_id"] = partner_user.get_id()  # the other account's id, this login's token
    assert client.get("/registrations").status_code == 302


def test_my_logins_lists_them_and_ends_another(app, db, partner_user):
    first, second = app.test_client(), app.test_client()
    login(first, partner_user.email)
    second.post("/login", data={"email": partner_user.email, "password": TEST_PASSWORD},
                headers={"User-Agent": "Browser B"})
    page = first.get("/account/logins").get_data(as_text=True)
    assert page.count('data-testid="login"') == 2
    assert "Browser A" in page and "Browser B" in page
    other = next(row.id for row in logins_of(db, partner_user.id) if row.user_agent == "Browser B")
    assert first.post(f"/account/logins/{other}/end").status_code == 302
    assert second.get("/registrations").status_code == 302
    assert first.get("/registrations").status_code == 200
    assert [row.user_agent for row in logins_of(db, partner_user.id)] == ["Browser A"]


def test_nobody_ends_another_accounts_login_or_their_own_current_one(app, db, partner_user, partner_kh_user):
    mine, theirs = app.test_client(), app.test_client()
    login(mine, partner_user.email)
    login(theirs, partner_kh_user.email)
    (their_login,) = logins_of(db, partner_kh_user.id)
    (my_login,) = logins_of(db, partner_user.id)
    assert mine.post(f"/account/logins/{their_login.id}/end").status_code == 404
    assert mine.post(f"/account/logins/{my_login.id}/end").status_code == 400
    assert theirs.get("/registrations").status_code == 200
    assert len(logins_of(db, partner_kh_user.id)) == 1


def test_end_all_other_logins(app, db, partner_user):
    clients = [app.test_client() for _ in range(3)]
    for client in clients:
        login(client, partner_user.email)
    assert clients[0].post("/account/logins/end-others").status_code == 302
    assert [client.get("/registrations").status_code for client in clients] == [200, 302, 302]
    assert len(logins_of(db, partner_user.id)) == 1


def test_a_password_change_ends_every_other_login(app, db, partner_user):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, partner_user.email)
    login(elsewhere, partner_user.email)
    response = here.post("/account/password", data={
        "current_password": TEST_PASSWORD, "new_password": "another-long-password", "confirm": "another-long-password"})
    assert response.status_code == 302
    assert here.get("/registrations").status_code == 200
    assert elsewhere.get("/registrations").status_code == 302
    assert len(logins_of(db, partner_user.id)) == 1


def test_deactivation_ends_every_login(app, db, admin_client, partner_user):
    client = app.test_client()
    login(client, partner_user.email)
    assert admin_client.post(f"/admin/users/{partner_user.id}/deactivate").status_code == 302
    assert logins_of(db, partner_user.id) == []
    assert client.get("/registrations").status_code == 302


def test_an_admin_ends_all_logins_of_an_account(app, db, admin_client, partner_user):
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        login(client, partner_user.email)
    page = admin_client.get(f"/admin/users/{partner_user.id}").get_data(as_text=True)
    assert f"/admin/users/{partner_user.id}/end-logins" in page
    assert admin_client.post(f"/admin/users/{partner_user.id}/end-logins").status_code == 302
    assert [client.get("/registrations").status_code for client in clients] == [302, 302]
    assert logins_of(db, partner_user.id) == []
    db.session.expire_all()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.logins_ended"))
    assert event.object_id == partner_user.id and event.after == {"logins": 2}
    # The account itself stays usable: it simply logs in again.
    assert login(clients[0], partner_user.email).status_code == 302


def test_only_admins_end_someone_elses_logins(organiser_client, partner_user, db):
    login_count = db.session.scalar(select(func.count()).select_from(Login))
    assert organiser_client.post(f"/admin/users/{partner_user.id}/end-logins").status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Login)) == login_count


def test_last_seen_is_written_by_posts_at_most_once_a_minute_and_never_by_reads(app, db, client, partner_user):
    login(client, partner_user.email)
    (row,) = logins_of(db, partner_user.id)
    long_ago = utcnow() - timedelta(minutes=10)
    row.last_seen_at = long_ago
    db.session.commit()
    client.get("/registrations")
    client.get("/account/logins")
    assert logins_of(db, partner_user.id)[0].last_seen_at == long_ago
    client.post("/language", data={"lang": "en"})
    seen = logins_of(db, partner_user.id)[0].last_seen_at
    assert seen > long_ago + timedelta(minutes=9)
    client.post("/language", data={"lang": "fr"})
    assert logins_of(db, partner_user.id)[0].last_seen_at == seen


def test_my_logins_needs_a_login(client):
    assert client.get("/account/logins").status_code == 302


def test_roles_all_see_my_logins(app, admin_user, organiser_user, partner_user):
    for user in (admin_user, organiser_user, partner_user):
        client = app.test_client()
        login(client, user.email)
        assert client.get("/account/logins").status_code == 200


def test_a_login_verified_under_the_office_version_is_read_without_a_query(app, db, client, partner_user,
                                                                          count_queries):
    """A read finds the login valid under the office version it reads first, and the next read
    under the same version needs no query for it (registrations/auth/logins.py, `verified`)."""
    login(client, partner_user.email)
    client.get("/sessions")
    with count_queries() as queries:
        page = client.get("/sessions").get_data(as_text=True)
    # The kept catalogue and the verified login: nothing goes through the pool (both versions
    # are read in one statement on the version reader's own connection).
    assert queries == [] and partner_user.display_name in page
    with count_queries() as queries:
        assert client.post("/language", data={"lang": "fr", "next": "/sessions"}).status_code == 302
    assert "login" in queries[0]  # a form post always reads its login


def _log_out_a_copy(app, db, admin_client, client, user):
    assert copy_of(app, client).post("/logout").status_code == 302


def _end_all_by_admin(app, db, admin_client, client, user):
    assert admin_client.post(f"/admin/users/{user.id}/end-logins").status_code == 302


def _deactivate(app, db, admin_client, client, user):
    assert admin_client.post(f"/admin/users/{user.id}/deactivate").status_code == 302


def _deactivate_the_agency(app, db, admin_client, client, user):
    user.agency.active = False
    db.session.commit()


def _change_the_session_version(app, db, admin_client, client, user):
    user.session_version += 1  # what a password change does to every cookie of the account
    db.session.commit()


@pytest.mark.parametrize("end", [_log_out_a_copy, _end_all_by_admin, _deactivate, _deactivate_the_agency,
                                 _change_the_session_version])
def test_a_login_verified_for_reads_ends_with_the_write_that_ends_it(app, db, admin_client, partner_user, end):
    client = app.test_client()
    login(client, partner_user.email)
    for _ in range(2):  # the second read finds the login verified under the same office version
        assert client.get("/registrations").status_code == 200
    end(app, db, admin_client, client, partner_user)
    response = client.get("/registrations")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_reads_fall_back_to_the_login_query_when_the_version_reader_fails(app, db, client, partner_user,
                                                                          monkeypatch, count_queries):
    from registrations.sessions import version

    login(client, partner_user.email)
    client.get("/registrations")
    monkeypatch.setattr(version._reader, "read_both", lambda engine: None)
    with count_queries() as queries:
        page = client.get("/registrations")
    assert page.status_code == 200 and partner_user.display_name in page.get_data(as_text=True)
    assert any("login" in statement for statement in queries)
