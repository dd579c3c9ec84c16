"""Exports (CSV and XLSX) and the printed sign-in sheet (PDF)."""

import csv
import io
import unicodedata
import zipfile

from openpyxl import load_workbook
from pypdf import PdfReader

from registrations.attendance import services
from registrations.models import DayPart, RegistrationState, SessionDay
from registrations.transaction import run


def _squeeze(text: str) -> str:
    """Letters only: extracted PDF text has spaces by position and control characters
    where shaped clusters have several glyphs."""
    return "".join(ch for ch in unicodedata.normalize("NFC", text)
                   if not ch.isspace() and unicodedata.category(ch) != "Cc")


def _marked(running, organiser_user):
    session, days, (first, second, third) = running["session"], running["days"], running["registrations"]
    for reg, day, status in [(first, days[0], "present"), (first, days[1], "late"), (second, days[0], "absent"),
                             (second, days[1], "excused"), (third, days[0], "present")]:
        run(services.mark, session.id, day.id, reg.id, status, organiser_user)
    return session


def test_csv_export_has_a_bom_a_row_per_participant_a_column_per_day_and_the_rate(
        organiser_client, running, organiser_user):
    session = _marked(running, organiser_user)
    response = organiser_client.get(f"/manage/sessions/{session.id}/attendance.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert f'filename="attendance-{session.id}.csv"' in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    days = [day.date.isoformat() for day in running["days"]]
    assert rows[0][:6] == ["Nom", "Nom dans l’écriture d’origine", "Grade", "Agence", "Pays", "Inscription"]
    assert rows[0][6:9] == days
    assert rows[0][9] == "Taux de présence"
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Nguyen Thi Huong", "Srey Pich", "Khamla Phommachanh"}
    assert by_name["Nguyen Thi Huong"][1:6] == ["Nguyễn Thị Hương", "Trung tá", "Cục Cảnh sát hình sự, Bộ Công an",
                                                "VN", "Acceptée"]
    assert by_name["Nguyen Thi Huong"][6:11] == ["Présent", "En retard", "", "100 %", "oui"]
    assert by_name["Srey Pich"][6:11] == ["Absent", "Excusé", "", "0 %", "non"]
    assert by_name["Khamla Phommachanh"][1] == "ເຂົ້າໜຽວ ພົມມະຈັນ"
    assert by_name["Khamla Phommachanh"][9] == "50 %"


def test_exports_neutralise_formulas(organiser_client, db, running, make_participant, make_registration,
                                     make_agency):
    agency = make_agency("VN", name="@SUM(1+1)", name_local="")
    person = make_participant(agency, name_latin='=HYPERLINK("http://evil.test","x")', name_native="+1+2",
                              rank="-3")
    make_registration(running["session"], person)
    response = organiser_client.get(f"/manage/sessions/{running['session'].id}/attendance.csv")
    row = next(r for r in csv.reader(io.StringIO(response.data.decode("utf-8-sig"))) if "HYPERLINK" in r[0])
    assert row[:4] == ["'=HYPERLINK(\"http://evil.test\",\"x\")", "'+1+2", "'-3", "'@SUM(1+1)"]
    response = organiser_client.get(f"/manage/sessions/{running['session'].id}/attendance.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = next(row for row in sheet.iter_rows(min_row=2) if "HYPERLINK" in str(row[0].value))
    # Stored as text (the name stays exact), never as a formula.
    assert all(cell.data_type == "s" for cell in cells[:4])
    assert cells[0].value == '=HYPERLINK("http://evil.test","x")'
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_xlsx_export_holds_the_same_table_with_rates_as_numbers(organiser_client, running, organiser_user):
    session = _marked(running, organiser_user)
    response = organiser_client.get(f"/manage/sessions/{session.id}/attendance.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Nom" and rows[0][6] == running["days"][0].date.isoformat()
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Nguyen Thi Huong"][6:8] == ["Présent", "En retard"]
    assert by_name["Srey Pich"][1] == "ស្រី ពេជ្រ"
    assert by_name["Nguyen Thi Huong"][9] == 1 and by_name["Khamla Phommachanh"][9] == 0.5
    assert sheet.cell(row=2, column=10).number_format == "0%"
    assert len(rows) == 4


def test_export_labels_half_days(organiser_client, db, running):
    day = running["days"][0]
    day.part = DayPart.MORNING
    db.session.add(SessionDay(session_id=running["session"].id, date=day.date, part=DayPart.AFTERNOON))
    db.session.commit()
    response = organiser_client.get(f"/manage/sessions/{running['session'].id}/attendance.csv")
    header = next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header[6:8] == [f"{day.date.isoformat()} Matin", f"{day.date.isoformat()} Après-midi"]


def test_unknown_export_format_is_404(organiser_client, running):
    assert organiser_client.get(f"/manage/sessions/{running['session'].id}/attendance.pdf").status_code == 404


def test_sign_in_sheet_pdf_holds_every_name_agency_and_the_day(organiser_client, running, make_registration,
                                                               make_participant):
    make_registration(running["session"], make_participant(name_latin="Waiting Person"),
                      state=RegistrationState.PENDING)
    day = running["days"][0]
    response = organiser_client.get(f"/manage/sessions/{running['session'].id}/attendance/{day.id}/sign-in.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert f"sign-in-{running['session'].id}-{day.date.isoformat()}.pdf" in response.headers["Content-Disposition"]
    pages = PdfReader(io.BytesIO(response.data)).pages
    text = _squeeze("\n".join(page.extract_text() for page in pages))
    for name in ("Nguyen Thi Huong", "Nguyễn Thị Hương", "Srey Pich", "ស្រី ពេជ្រ", "Khamla Phommachanh",
                 "ເຂົ້າໜຽວ ພົມມະຈັນ", "Cục Cảnh sát hình sự, Bộ Công an", "ກະຊວງປ້ອງກັນຄວາມສະຫງົບ",
                 "Gestion d'une scène de crime", "Phnom Penh", "Signature", str(day.date.year)):
        assert _squeeze(name) in text, name
    assert "WaitingPerson" not in text  # the pending registration is not on the sheet
