"""Accounts: only admins manage them; deactivation ends sessions; the last admin stays."""

import pytest
from sqlalchemy import func, select

from registrations.admin import services
from registrations.admin.services import AdminError
from registrations.models import AuditEvent, Participant, Role, User
from registrations.transaction import run
from tests.conftest import TEST_PASSWORD

ADMIN_PAGES = ["/admin", "/admin/agencies", "/admin/agencies/new", "/admin/users", "/admin/users/new",
               "/admin/audit", "/admin/audit.csv", "/admin/participants"]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_organisers_and_partners_get_403_on_admin_pages(organiser_client, partner_client, url):
    assert organiser_client.get(url).status_code == 403
    assert partner_client.get(url).status_code == 403


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_answer_200(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_organisers_cannot_post_admin_actions(db, organiser_client, make_user):
    partner = make_user(Role.PARTNER)
    for action in ("deactivate", "reset", "resend", "reactivate"):
        assert organiser_client.post(f"/admin/users/{partner.id}/{action}").status_code == 403
    assert organiser_client.post(f"/admin/users/{partner.id}/role", data={"r-role": "admin"}).status_code == 403
    assert partner.active and partner.role == Role.PARTNER


def test_a_partner_account_needs_an_agency(db, admin_client, outbox):
    response = admin_client.post("/admin/users/new", data={
        "email": "lonely@example.test", "name": "Lonely", "role": "partner", "agency": "0", "locale": "fr"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "lonely@example.test")) == 0
    assert outbox == []


def test_an_organiser_is_invited_without_agency(db, admin_client, outbox):
    response = admin_client.post("/admin/users/new", data={
        "email": "Organiser2@Example.test", "name": "Lan", "role": "organiser", "agency": "0", "locale": "en"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "organiser2@example.test"))
    assert user.role == Role.ORGANISER and user.invitation_pending and user.participant_id is None
    assert outbox[0].locale == "en" and "organiser2@example.test" in outbox[0].body


def test_duplicate_and_malformed_emails_are_refused(db, admin_client, admin_user, outbox):
    for email in (admin_user.email.upper(), "not-an-email", ""):
        response = admin_client.post("/admin/users/new", data={
            "email": email, "name": "X", "role": "organiser", "agency": "0", "locale": "fr"})
        assert response.status_code in (400, 409)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert outbox == []


def test_deactivation_ends_sessions_and_blocks_login(app, db, admin_client, make_user):
    partner = make_user(Role.PARTNER, email="leaving@example.test")
    open_session = app.test_client().login_as(partner)
    assert open_session.get("/account/password").status_code == 200
    assert admin_client.post(f"/admin/users/{partner.id}/deactivate").status_code == 302
    assert not partner.active
    assert open_session.get("/account/password").status_code == 302
    login = app.test_client().post("/login", data={"email": partner.email, "password": TEST_PASSWORD})
    assert login.status_code == 403
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.deactivated"))
    assert event.object_id == partner.id and event.before == {"active": True}

    assert admin_client.post(f"/admin/users/{partner.id}/reactivate").status_code == 302
    assert partner.active
    assert app.test_client().post("/login", data={"email": partner.email, "password": TEST_PASSWORD}).status_code == 302


def test_the_last_admin_cannot_be_removed(db, admin_client, admin_user, make_user):
    # Not by deactivating nor demoting oneself…
    assert admin_client.post(f"/admin/users/{admin_user.id}/deactivate").status_code == 409
    response = admin_client.post(f"/admin/users/{admin_user.id}/role", data={"r-role": "organiser"})
    assert response.status_code == 409
    assert "dernier administrateur" in response.get_data(as_text=True)
    assert admin_user.active and admin_user.role == Role.ADMIN

    # …but with a second admin, one of them may go.
    second = make_user(Role.ADMIN, email="second.admin@example.test")
    assert admin_client.post(f"/admin/users/{second.id}/deactivate").status_code == 302
    assert admin_client.post(f"/admin/users/{admin_user.id}/role", data={"r-role": "organiser"}).status_code == 409
    assert admin_client.post(f"/admin/users/{second.id}/reactivate").status_code == 302
    assert admin_client.post(f"/admin/users/{admin_user.id}/role", data={"r-role": "organiser"}).status_code == 302
    assert admin_user.role == Role.ORGANISER


def test_the_last_admin_rule_in_the_service(db, admin_user, make_user):
    other = make_user(Role.ORGANISER)
    with pytest.raises(AdminError) as error:
        services.change_role(admin_user, Role.PARTNER, actor=other)
    assert error.value.status in (400, 409)
    with pytest.raises(AdminError):
        services.deactivate_account(admin_user, actor=other)
    assert admin_user.active and admin_user.role == Role.ADMIN


def test_role_change_is_audited_and_ends_sessions(app, db, admin_client, make_user):
    organiser = make_user(Role.ORGANISER)
    open_session = app.test_client().login_as(organiser)
    response = admin_client.post(f"/admin/users/{organiser.id}/role", data={"r-role": "admin"})
    assert response.status_code == 302
    assert organiser.role == Role.ADMIN
    assert open_session.get("/account/password").status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role"))
    assert event.before == {"role": "organiser"} and event.after == {"role": "admin"}
    assert admin_client.post(f"/admin/users/{organiser.id}/role", data={"r-role": "boss"}).status_code == 400


def test_a_partner_role_needs_an_agency_and_makes_a_participant(db, admin_user, make_user, make_agency):
    organiser = make_user(Role.ORGANISER, display_name="Lê Văn Tám")
    with pytest.raises(AdminError):
        services.change_role(organiser, Role.PARTNER, actor=admin_user)
    agency = make_agency("VN")
    # Two units of work, as the two forms are (the second locks a row: nothing may be pending).
    run(services.update_account, organiser, name="Lê Văn Tám", agency=agency, locale="vi", actor=admin_user)
    run(services.change_role, organiser, Role.PARTNER, actor=admin_user)
    participant = db.session.get(Participant, organiser.participant_id)
    assert participant.agency_id == agency.id and participant.name_latin == "Lê Văn Tám"


def test_edit_account_details(db, admin_client, make_user, make_agency):
    partner = make_user(Role.PARTNER, locale="vi")
    other_agency = make_agency("KH")
    page = admin_client.get(f"/admin/users/{partner.id}").get_data(as_text=True)
    assert f'<option selected value="{partner.agency_id}">' in page
    assert '<option selected value="vi">' in page
    response = admin_client.post(f"/admin/users/{partner.id}", data={
        "name": "Sok Chea", "agency": str(other_agency.id), "locale": "km"})
    assert response.status_code == 302
    assert (partner.display_name, partner.agency_id, partner.locale) == ("Sok Chea", other_agency.id, "km")
    assert db.session.get(Participant, partner.participant_id).agency_id == other_agency.id
    refused = admin_client.post(f"/admin/users/{partner.id}", data={"name": "Sok Chea", "agency": "0", "locale": ""})
    assert refused.status_code == 400
    assert admin_client.get("/admin/users/999999").status_code == 404


def test_account_list_filters(admin_client, make_user, make_agency):
    make_user(Role.PARTNER, email="active.one@example.test")
    make_user(Role.PARTNER, email="gone@example.test", active=False)
    page = admin_client.get("/admin/users?status=inactive").get_data(as_text=True)
    assert "gone@example.test" in page and "active.one@example.test" not in page
    page = admin_client.get("/admin/users?q=ACTIVE.one").get_data(as_text=True)
    assert "active.one@example.test" in page and "gone@example.test" not in page
    assert admin_client.get("/admin/users?role=emperor").status_code == 400


def test_account_list_runs_a_fixed_number_of_queries(app, admin_client, make_user, make_agency, count_queries):
    app.config["ITEMS_PER_PAGE"] = 100
    agencies = [make_agency("VN"), make_agency("KH")]
    for n in range(3):
        make_user(Role.PARTNER, agency=agencies[n % 2])
    with count_queries() as small:
        assert admin_client.get("/admin/users").status_code == 200
    for n in range(30):
        make_user(Role.PARTNER, agency=agencies[n % 2])
    with count_queries() as large:
        page = admin_client.get("/admin/users")
    assert page.status_code == 200 and page.get_data(as_text=True).count("/admin/users/") >= 33
    assert len(small) == len(large) <= 4
