"""Batch nomination: template, upload, preview with a message per row, one confirmation."""

import io
import re
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from registrations.models import (
    Participant,
    QuestionKind,
    Registration,
    RegistrationAnswer,
    RegistrationQuestion,
    SessionQuota,
)
from registrations.models import RegistrationState as S
from tests.registrations.conftest import counts


@pytest.fixture
def diet(db, make_session):
    session = make_session(capacity=30)
    question = RegistrationQuestion(session_id=session.id, kind=QuestionKind.CHOICE, label_fr="Régime",
                                    label_en="Diet", choices="Aucun\nHalal\nVégétarien", required=True)
    passport = RegistrationQuestion(session_id=session.id, kind=QuestionKind.FILE, label_fr="Passeport",
                                    required=True, position=2)
    db.session.add_all([question, passport])
    db.session.commit()
    return session, question


def _template(client, session) -> tuple:
    response = client.get(f"/sessions/{session.id}/nominate/batch/template.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data))
    return workbook, workbook.active


def _people(n: int) -> list[dict]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [{"name_latin": f"Nguyen Van {letters[i - 1]}anh", "name_native": f"Nguyễn Văn {letters[i - 1]}ành",
             "rank": "Đại úy",
             "unit": "Phòng PC02", "email": f"test{i:02d}@example.test", "locale": "vi", "diet": "Halal"}
            for i in range(1, n + 1)]


def _fill(workbook, sheet, people, question) -> bytes:
    keys = [c.value for c in sheet[1]]
    for number, person in enumerate(people, start=3):
        for key, value in person.items():
            column = keys.index(f"q{question.id}" if key == "diet" else key) + 1
            sheet.cell(row=number, column=column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(client, session, data: bytes):
    return client.post(f"/sessions/{session.id}/nominate/batch", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "nominations.xlsx")})


def _payload(html: str) -> str:
    return unescape(re.search(r'name="batch" type="hidden" value="([^"]+)"', html).group(1))


def test_twenty_rows_with_three_invalid_make_seventeen_nominations_once(db, partner_client, diet, vn_agency):
    session, question = diet
    workbook, sheet = _template(partner_client, session)
    assert [c.value for c in sheet[2]][:2] == ["Nom en alphabet latin *", "Nom dans l’écriture d’origine"]
    people = _people(20)
    people[4]["rank"] = ""                                  # missing field
    people[9]["name_latin"] = "ស្រី ពេជ្រ"                    # wrong script
    people[14]["email"] = people[2]["email"].upper()        # the same person twice
    before = counts(db)
    preview = _upload(partner_client, session, _fill(workbook, sheet, people, question))
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert counts(db) == before                              # a preview writes nothing
    statuses = re.findall(r'data-status="(\w+)"', html)
    assert len(statuses) == 20
    assert statuses.count("error") == 3, re.findall(r"<li>([^<]*)</li>", html)[:8]
    assert "Manquant\u202f: Grade." in html
    assert "écrivez-le en lettres latines" in html
    assert "La même personne qu’à la ligne 5." in html      # row 3 of the people = sheet row 5
    assert "17 lignes peuvent être désignées" in html
    confirmed = partner_client.post(f"/sessions/{session.id}/nominate/batch/confirm", data={"batch": _payload(html)})
    assert confirmed.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 17
    registrations = list(db.session.scalars(select(Registration)))
    assert {r.state for r in registrations} == {S.PENDING} and all(r.nominated for r in registrations)
    assert {a.value for a in db.session.scalars(select(RegistrationAnswer))} == {"Halal"}
    assert "Désignations enregistrées\u202f: 17" in confirmed.get_data(as_text=True)
    again = partner_client.post(f"/sessions/{session.id}/nominate/batch/confirm", data={"batch": _payload(html)})
    assert again.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 17
    assert db.session.scalar(select(func.count()).select_from(Participant)
                             .where(Participant.agency_id == vn_agency.id)) == 18  # the partner + 17
    assert "déjà inscrit" in again.get_data(as_text=True)


def test_the_preview_says_who_will_wait_for_a_seat_or_a_quota(db, partner_client, make_session, vn_agency):
    session = make_session(capacity=10, auto_approve=True)
    db.session.add(SessionQuota(session_id=session.id, country="VN", seats=2))
    db.session.commit()
    workbook, sheet = _template(partner_client, session)
    keys = [c.value for c in sheet[1]]
    for number, person in enumerate(_people(3), start=3):
        for key, value in person.items():
            if key in keys:
                sheet.cell(row=number, column=keys.index(key) + 1, value=value)
    out = io.BytesIO()
    workbook.save(out)
    html = _upload(partner_client, session, out.getvalue()).get_data(as_text=True)
    assert html.count("ira sur la liste d’attente") == 1
    partner_client.post(f"/sessions/{session.id}/nominate/batch/confirm", data={"batch": _payload(html)})
    states = sorted(r.state.value for r in db.session.scalars(select(Registration)))
    assert states == ["approved", "approved", "waitlisted"]


def test_bad_files_and_forged_confirmations_are_refused(db, app, partner_client, partner_kh_client, diet):
    session, question = diet
    before = counts(db)
    for data in (b"not a spreadsheet", b"PK\x03\x04broken zip", b""):
        response = _upload(partner_client, session, data)
        assert response.status_code == 400
    text = _upload(partner_client, session, b"name,email\n").get_data(as_text=True)
    assert "n’est pas un classeur XLSX" in text
    from openpyxl import Workbook
    other = Workbook()
    other.active.append(["Name", "Email"])
    other.active.append(["X", "x@example.test"])
    out = io.BytesIO()
    other.save(out)
    assert "ne sont pas celles du modèle" in _upload(partner_client, session, out.getvalue()).get_data(as_text=True)
    workbook, sheet = _template(partner_client, session)
    html = _upload(partner_client, session, _fill(workbook, sheet, _people(2), question)).get_data(as_text=True)
    payload = _payload(html)
    forged = partner_client.post(f"/sessions/{session.id}/nominate/batch/confirm", data={"batch": payload[:-3] + "abc"})
    assert forged.status_code == 400
    stolen = partner_kh_client.post(f"/sessions/{session.id}/nominate/batch/confirm", data={"batch": payload})
    assert stolen.status_code == 400
    assert counts(db) == before


def test_the_example_file_is_a_filled_in_template_that_checks_clean(db, partner_client, make_session):
    session = make_session()
    example = partner_client.get(f"/sessions/{session.id}/nominate/batch/example.xlsx")
    assert example.status_code == 200
    html = _upload(partner_client, session, example.data).get_data(as_text=True)
    assert re.findall(r'data-status="(\w+)"', html) == ["ok", "ok", "ok"]
    assert "សុខ ដារា" in html and "ພອນສະຫວັນ ແກ້ວມະນີ" in html
    page = partner_client.get(f"/sessions/{session.id}/nominate/batch").get_data(as_text=True)
    assert "example.xlsx" in page and "template.xlsx" in page


def test_staff_and_other_roles_cannot_use_batch_nomination(db, organiser_client, app, make_session):
    session = make_session()
    assert organiser_client.get(f"/sessions/{session.id}/nominate/batch").status_code == 403
    assert app.test_client().get(f"/sessions/{session.id}/nominate/batch").status_code == 302
