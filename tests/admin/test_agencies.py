"""Agencies: created and edited by admins; with people they are deactivated, never deleted."""

from sqlalchemy import func, select

from registrations.models import Agency, AgencyKind, AuditEvent, Role
from tests.conftest import TEST_PASSWORD

FORM = {"name": "Cục Cảnh sát phòng chống tội phạm về ma túy", "name_local": "Cục C04",
        "code": "vn-mps-c04", "country": "vn", "kind": "police", "active": "y"}


def test_admin_creates_an_agency(db, admin_client):
    response = admin_client.post("/admin/agencies/new", data=FORM)
    assert response.status_code == 302
    agency = db.session.scalar(select(Agency).where(Agency.code == "VN-MPS-C04"))
    assert agency.country == "VN" and agency.kind == AgencyKind.POLICE and agency.active
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agency.created"))
    assert event.object_id == agency.id and event.after["code"] == "VN-MPS-C04"


def test_organisers_get_403(db, organiser_client, make_agency):
    agency = make_agency("VN")
    assert organiser_client.post("/admin/agencies/new", data=FORM).status_code == 403
    assert organiser_client.get(f"/admin/agencies/{agency.id}/edit").status_code == 403
    assert organiser_client.post(f"/admin/agencies/{agency.id}/delete").status_code == 403
    assert db.session.get(Agency, agency.id) is not None


def test_bad_agency_input_is_refused_without_writing(db, admin_client, make_agency):
    make_agency("VN", code="VN-MPS-C04")
    duplicate = admin_client.post("/admin/agencies/new", data=FORM)
    assert duplicate.status_code == 409
    assert "code" in duplicate.get_data(as_text=True)
    for bad in ({"country": "Vietnam"}, {"country": "1X"}, {"code": "bad code!"}, {"kind": "army"}, {"name": ""}):
        assert admin_client.post("/admin/agencies/new", data={**FORM, "code": "NEW-1", **bad}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Agency)) == 2  # the office and VN-MPS-C04


def test_edit_is_audited_with_the_changed_fields(db, admin_client, make_agency):
    agency = make_agency("KH", code="KH-X", name="Ancien nom")
    response = admin_client.post(f"/admin/agencies/{agency.id}/edit",
                                 data={**FORM, "code": "KH-X", "country": "KH", "name": "Nouveau nom"})
    assert response.status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agency.updated"))
    assert event.before["name"] == "Ancien nom" and event.after["name"] == "Nouveau nom"
    assert "country" not in event.after
    assert admin_client.get("/admin/agencies/424242/edit").status_code == 404


def test_an_empty_agency_may_be_deleted(db, admin_client, make_agency):
    agency_id = make_agency("LA").id
    assert admin_client.post(f"/admin/agencies/{agency_id}/delete").status_code == 302
    assert db.session.get(Agency, agency_id) is None
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_id == agency_id)) == "agency.deleted"


def test_an_agency_with_people_is_deactivated_never_deleted(app, db, admin_client, make_user, make_agency):
    agency = make_agency("VN")
    partner = make_user(Role.PARTNER, agency=agency)
    refused = admin_client.post(f"/admin/agencies/{agency.id}/delete")
    assert refused.status_code == 409
    assert "désactiv" in refused.get_data(as_text=True)
    assert db.session.get(Agency, agency.id) is not None
    page = admin_client.get(f"/admin/agencies/{agency.id}/edit").get_data(as_text=True)
    assert f"/admin/agencies/{agency.id}/delete" not in page

    assert admin_client.post(f"/admin/agencies/{agency.id}/deactivate").status_code == 302
    assert not agency.active
    login = app.test_client().post("/login", data={"email": partner.email, "password": TEST_PASSWORD})
    assert login.status_code == 403
    assert admin_client.post(f"/admin/agencies/{agency.id}/reactivate").status_code == 302
    assert agency.active


def test_list_filtered_by_country_and_paginated(app, admin_client, make_agency):
    app.config["ITEMS_PER_PAGE"] = 3
    for n in range(4):
        make_agency("KH", code=f"KH-{n}")
    make_agency("LA", code="LA-ONLY")
    page = admin_client.get("/admin/agencies?country=KH").get_data(as_text=True)
    assert "KH-0" in page and "LA-ONLY" not in page
    assert "Page 1" in page and "page=2" in page
    second = admin_client.get("/admin/agencies?country=KH&page=2").get_data(as_text=True)
    assert "KH-3" in second and "KH-0" not in second
    assert admin_client.get("/admin/agencies?country=ZZ").status_code == 400


def test_agency_list_runs_a_fixed_number_of_queries(app, admin_client, make_agency, make_participant, count_queries):
    app.config["ITEMS_PER_PAGE"] = 100
    for _ in range(3):
        make_participant(make_agency("VN"))
    with count_queries() as small:
        assert admin_client.get("/admin/agencies").status_code == 200
    for _ in range(30):
        make_participant(make_agency("KH"))
    with count_queries() as large:
        assert admin_client.get("/admin/agencies").status_code == 200
    assert len(small) == len(large) <= 5
