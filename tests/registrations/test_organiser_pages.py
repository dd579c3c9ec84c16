"""Organiser pages: a session's registrations, bulk decisions, notes, CSV and XLSX exports."""

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from registrations.models import AuditEvent, Registration
from registrations.models import RegistrationState as S
from tests.registrations.conftest import counts


def _list_url(session):
    return f"/manage/sessions/{session.id}/registrations"


def test_session_list_filters_by_state_agency_and_country(db, organiser_client, make_session, make_registration,
                                                          colleagues, make_participant, kh_agency, vn_agency):
    session = make_session()
    make_registration(session, colleagues[0], state=S.APPROVED)
    make_registration(session, colleagues[1], state=S.PENDING)
    make_registration(session, make_participant(kh_agency, name_latin="Chan Dara", name_native="ចាន់ ដារា"),
                      state=S.PENDING)
    page = organiser_client.get(_list_url(session)).get_data(as_text=True)
    assert page.count("data-registration=") == 3 and "ចាន់ ដារា" in page
    assert "Nombre de places\u202f: 20" in page
    assert organiser_client.get(_list_url(session) + "?state=pending").get_data(as_text=True).count(
        "data-registration=") == 2
    assert organiser_client.get(_list_url(session) + f"?agency={kh_agency.id}").get_data(as_text=True).count(
        "data-registration=") == 1
    assert organiser_client.get(_list_url(session) + "?country=VN&state=approved").get_data(as_text=True).count(
        "data-registration=") == 1
    assert organiser_client.get(_list_url(session) + "?agency=x&country=%3Cscript%3E").status_code == 200
    assert organiser_client.get("/manage/sessions/999999/registrations").status_code == 404


def test_bulk_approval_and_rejection_with_a_reason(db, organiser_client, organiser, make_session, make_registration,
                                                   colleagues, outbox):
    session = make_session(capacity=5)
    regs = [make_registration(session, c, state=S.PENDING) for c in colleagues]
    approve = organiser_client.post(f"{_list_url(session)}/decide?state=pending",
                                    data={"ids": [regs[0].id, regs[1].id], "action": "approve"})
    assert approve.status_code == 200 and approve.get_data(as_text=True).count('data-outcome="accepted"') == 2
    no_reason = organiser_client.post(f"{_list_url(session)}/decide", data={"ids": [regs[2].id], "action": "reject"})
    assert no_reason.status_code == 400
    reject = organiser_client.post(f"{_list_url(session)}/decide",
                                   data={"ids": [regs[2].id], "action": "reject", "reason": "Hors profil"})
    assert reject.status_code == 302
    assert [db.session.get(Registration, r.id).state for r in regs] == [S.APPROVED, S.APPROVED, S.REJECTED]
    assert session.seats_taken == 2
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.reason == "Hors profil")) == organiser.id
    rejection = [m for m in outbox if m.to == colleagues[2].email][-1]
    assert "Hors profil" in rejection.body


def test_approval_without_a_seat_leaves_it_pending_and_says_why(db, organiser_client, make_session,
                                                                 make_registration, colleagues):
    session = make_session(capacity=1)
    make_registration(session, colleagues[0], state=S.APPROVED)
    pending = make_registration(session, colleagues[1], state=S.PENDING)
    before = counts(db)
    answer = organiser_client.post(f"{_list_url(session)}/decide", data={"ids": [pending.id], "action": "approve"})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert 'data-outcome="pending"' in html and "plus de place dans la session" in html
    assert counts(db) == before
    waitlisted = organiser_client.post(f"{_list_url(session)}/decide", data={"ids": [pending.id],
                                                                            "action": "approve_waitlist"})
    assert waitlisted.status_code == 200 and 'data-outcome="waitlisted"' in waitlisted.get_data(as_text=True)
    assert db.session.get(Registration, pending.id).state == S.WAITLISTED


def test_bad_decisions_are_refused(db, organiser_client, make_session, make_registration, colleagues):
    session, other = make_session(), make_session()
    mine = make_registration(session, colleagues[0], state=S.PENDING)
    foreign = make_registration(other, colleagues[1], state=S.PENDING)
    before = counts(db)
    post = organiser_client.post
    assert post(f"{_list_url(session)}/decide", data={"ids": [foreign.id], "action": "approve"}).status_code == 404
    assert post(f"{_list_url(session)}/decide", data={"ids": ["1; DROP"], "action": "approve"}).status_code == 400
    assert post(f"{_list_url(session)}/decide", data={"ids": [mine.id], "action": "explode"}).status_code == 400
    assert post(f"{_list_url(session)}/decide", data={"action": "approve"}).status_code == 400
    assert post(f"{_list_url(session)}/decide", data={"ids": [mine.id], "action": "approve"},
                csrf=False).status_code == 400
    assert counts(db) == before


def test_internal_notes_are_for_the_office_only(db, organiser_client, partner_client, make_session,
                                                make_registration, colleagues):
    registration = make_registration(make_session(), colleagues[0], state=S.PENDING)
    saved = organiser_client.post(f"/manage/registrations/{registration.id}/note",
                                  data={"internal_note": "Parle couramment français"})
    assert saved.status_code == 302
    assert "Parle couramment français" in organiser_client.get(f"/registrations/{registration.id}").get_data(
        as_text=True)
    partner_view = partner_client.get(f"/registrations/{registration.id}").get_data(as_text=True)
    assert "Parle couramment français" not in partner_view
    assert partner_client.post(f"/manage/registrations/{registration.id}/note",
                               data={"internal_note": "x"}).status_code == 403
    assert organiser_client.post("/manage/registrations/999999/note", data={"internal_note": "x"}).status_code == 404


def _export_rows(db, make_session, make_registration, make_participant, kh_agency, colleagues):
    session = make_session()
    make_registration(session, colleagues[0], state=S.APPROVED, personal_code="K7QX2M", needs_diet="Chay")
    make_registration(session, make_participant(kh_agency, name_latin="=HYPERLINK(\"http://evil\")",
                                                name_native="ស្រី ពេជ្រ", rank="+Major", unit="@unit",
                                                phone="-1234"), state=S.PENDING)
    return session


def test_csv_export_opens_in_excel_and_runs_no_formula(db, organiser_client, make_session, make_registration,
                                                       make_participant, kh_agency, colleagues):
    session = _export_rows(db, make_session, make_registration, make_participant, kh_agency, colleagues)
    response = organiser_client.get(f"/manage/sessions/{session.id}/registrations.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["N°", "Nom en alphabet latin", "Nom dans l’écriture d’origine"] and len(rows[0]) == 19
    assert rows[1][1:5] == ["Trần Văn Minh", "Trần Văn Minh", "Thượng tá", "Phòng Hợp tác"]
    assert "K7QX2M" in rows[1] and "Chay" in rows[1] and "VN" in rows[1]
    khmer = rows[2]
    assert khmer[1] == "'=HYPERLINK(\"http://evil\")" and khmer[2] == "ស្រី ពេជ្រ"
    assert khmer[3] == "'+Major" and khmer[4] == "'@unit" and khmer[8] == "'-1234"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    only_pending = organiser_client.get(f"/manage/sessions/{session.id}/registrations.csv?state=pending")
    assert len(list(csv.reader(io.StringIO(only_pending.data.decode("utf-8-sig"))))) == 2


def test_xlsx_export_keeps_every_cell_as_text(db, organiser_client, make_session, make_registration,
                                              make_participant, kh_agency, colleagues):
    session = _export_rows(db, make_session, make_registration, make_participant, kh_agency, colleagues)
    response = organiser_client.get(f"/manage/sessions/{session.id}/registrations.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[1][1] == "Trần Văn Minh" and rows[2][2] == "ស្រី ពេជ្រ"
    assert rows[2][1] == "'=HYPERLINK(\"http://evil\")"
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row if cell.value)
    assert organiser_client.get(f"/manage/sessions/{session.id}/registrations.pdf").status_code == 404
