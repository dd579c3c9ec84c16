"""The audit log: filters, pages, the CSV export, and that every admin action is audited."""

import csv
import io
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from registrations.admin.audit_log import AuditFilters, events_query
from registrations.audit import record
from registrations.models import AuditEvent, Role
from registrations.spreadsheets import neutralise


def _event(db, action, actor=None, object_type="registration", object_id=1, at=None, **fields):
    event = record(action, actor=actor, object_type=object_type, object_id=object_id, **fields)
    if at is not None:
        event.at = at
    db.session.commit()
    return event


def _rows(db, **filters):
    return [event.action for event, _email in db.session.execute(events_query(AuditFilters(**filters)))]


def test_filters_by_who_what_object_and_dates(db, admin_user, organiser_user):
    now = datetime.now(timezone.utc)
    _event(db, "registration.state", organiser_user, object_id=7, before={"state": "pending"},
           after={"state": "approved"}, at=now - timedelta(days=40))
    _event(db, "attendance.mark", organiser_user, object_type="attendance", object_id=3)
    _event(db, "certificate.revoked", admin_user, object_type="certificate", object_id=7, reason="Erreur de nom")
    _event(db, "registration.cancelled", None, object_id=8)

    assert set(_rows(db, who="organiser@")) == {"registration.state", "attendance.mark"}
    assert _rows(db, action="attendance.mark") == ["attendance.mark"]
    assert set(_rows(db, action="registration.*")) == {"registration.state", "registration.cancelled"}
    assert _rows(db, object_type="registration", object_id=7) == ["registration.state"]
    assert _rows(db, object_type="certificate", object_id=7) == ["certificate.revoked"]
    recent = (now - timedelta(days=1)).date()
    assert "registration.state" not in _rows(db, date_from=recent)
    assert _rows(db, date_to=(now - timedelta(days=30)).date()) == ["registration.state"]
    assert _rows(db, who="100%_") == []  # wildcards are taken literally


def test_audit_page_shows_events_with_filters(db, admin_client, organiser_user):
    _event(db, "registration.state", organiser_user, object_id=12, before={"state": "pending"},
           after={"state": "approved"}, reason="Dossier complet")
    _event(db, "certificate.issued", organiser_user, object_type="certificate", object_id=5)
    page = admin_client.get("/admin/audit?action=registration.state").get_data(as_text=True)
    assert "organiser@example.test" in page and "Dossier complet" in page
    # Field names, values, actions and object types in the reader's language (French here).
    assert "<del>En attente</del> → Acceptée" in page
    assert "État\u202f:" in page and "pending" not in page.split("<tbody>")[1]
    assert "Attestation #5" not in page
    full = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "Attestation #5" in full and "Attestation délivrée" in full and 'style="' not in full
    assert "Inscriptions\u202f: toutes les actions" in full and "Tout «" not in full


def test_bad_filters_get_400(admin_client):
    assert admin_client.get("/admin/audit?date_from=2026-13-45").status_code == 400
    assert admin_client.get("/admin/audit?object_id=abc").status_code == 400
    assert admin_client.get("/admin/audit?date_from=2026-05-02&date_to=2026-05-01").status_code == 400
    assert admin_client.get("/admin/audit.csv?object_id=-4").status_code == 400


def test_audit_pages_run_a_fixed_number_of_queries(app, db, admin_client, organiser_user, count_queries):
    app.config["ITEMS_PER_PAGE"] = 200
    for n in range(5):
        _event(db, "attendance.mark", organiser_user, object_id=n)
    admin_client.get("/")  # the login is found valid once (the audit's own records leave it so)
    with count_queries() as small:
        assert admin_client.get("/admin/audit").status_code == 200
    for n in range(60):
        _event(db, f"kind{n % 7}.action", organiser_user, object_id=n)
    with count_queries() as large:
        assert admin_client.get("/admin/audit").status_code == 200
    assert len(small) == len(large) <= 5


def test_csv_export_is_utf8_with_bom_filtered_and_safe(db, admin_client, organiser_user, admin_user):
    _event(db, "registration.state", organiser_user, object_id=3, reason="=HYPERLINK(\"http://evil\")",
           after={"name": "Nguyễn Thị Hương"})
    _event(db, "attendance.mark", organiser_user, object_id=4, reason="+cmd|' /C calc'!A0")
    _event(db, "user.login", admin_user, object_type="user_account", object_id=admin_user.id)
    response = admin_client.get("/admin/audit.csv?who=organiser")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["at_utc", "actor", "action"]
    assert {row[2] for row in rows[1:]} == {"registration.state", "attendance.mark"}
    reasons = {row[7] for row in rows[1:]}
    assert "'=HYPERLINK(\"http://evil\")" in reasons and "'+cmd|' /C calc'!A0" in reasons
    assert any("Nguyễn Thị Hương" in row[6] for row in rows[1:])
    exported = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported"))
    assert exported.actor_id == admin_user.id and exported.after == {"who": "organiser"}


def test_neutralise():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("-2") == "'-2"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("Hà Nội") == "Hà Nội"
    assert neutralise(None) == ""


def test_every_admin_action_is_audited(db, admin_client, admin_user, make_user, make_agency):
    agency = make_agency("VN")
    partner = make_user(Role.PARTNER, agency=agency)
    admin_client.post("/admin/agencies/new", data={"name": "Nouvelle", "code": "KH-NEW", "country": "KH",
                                                   "kind": "customs", "active": "y"})
    admin_client.post(f"/admin/agencies/{agency.id}/deactivate")
    admin_client.post(f"/admin/agencies/{agency.id}/reactivate")
    admin_client.post("/admin/users/new", data={"email": "n@example.test", "name": "N", "role": "organiser",
                                                "agency": "0", "locale": "fr"})
    admin_client.post(f"/admin/users/{partner.id}/reset")
    admin_client.post(f"/admin/users/{partner.id}/deactivate")
    admin_client.post(f"/admin/users/{partner.id}/reactivate")
    admin_client.post(f"/admin/users/{partner.id}", data={"name": "Renamed", "agency": str(agency.id), "locale": ""})
    admin_client.get(f"/admin/participants/{partner.participant_id}.json")
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == admin_user.id)))
    assert {"agency.created", "agency.deactivated", "agency.reactivated", "user.created", "user.invitation_sent",
            "user.reset_sent", "user.deactivated", "user.reactivated", "user.updated",
            "participant.exported"} <= actions
