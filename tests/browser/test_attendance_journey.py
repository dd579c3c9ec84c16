"""An organiser takes attendance from a phone: check-in by code, then everyone else on the sheet."""

from datetime import timedelta

import pytest

from registrations.attendance import services
from registrations.attendance.queries import session_days
from registrations.extensions import db
from registrations.models import AttendanceStatus
from tests.browser.conftest import assert_accessible, log_in, page_width
from tests.conftest import TEST_PASSWORD

PEOPLE = [
    # agency country, agency local name, Latin name, own script, rank, locale, code
    ("VN", "Cục Cảnh sát hình sự, Bộ Công an", "Nguyen Thi Huong", "Nguyễn Thị Hương", "Trung tá", "vi", "K7M2QX"),
    ("KH", "អគ្គស្នងការដ្ឋាននគរបាលជាតិ", "Srey Pich", "ស្រី ពេជ្រ", "Major", "km", "P4W9TZ"),
    ("LA", "ກະຊວງປ້ອງກັນຄວາມສະຫງົບ", "Khamla Phommachanh", "ເຂົ້າໜຽວ ພົມມະຈັນ", "Captain", "lo", "B3N8RC"),
    ("KH", "នាយកដ្ឋានប្រឆាំងការជួញដូរមនុស្ស និងការពារអនីតិជន", "Keo Sophea", "កែវ សុភា", "Lieutenant-Colonel",
     "km", "H6J2WD"),
    ("VN", "Cục Quản lý xuất nhập cảnh, Bộ Công an", "Pham Quoc Bao", "Phạm Quốc Bảo", "Trung tá", "vi", "T8R4MV"),
]


@pytest.fixture
def session_today(app, make_session, make_agency, make_participant, make_registration, organiser_user):
    today = services.local_today()
    session = make_session(days=3, start=today - timedelta(days=1), title_fr="Gestion d’une scène de crime",
                           city="Phnom Penh", country="KH")
    registrations = []
    for country, agency_name, latin, native, rank, locale, code in PEOPLE:
        agency = make_agency(country, name=agency_name, name_local=agency_name)
        person = make_participant(agency, name_latin=latin, name_native=native, rank=rank, locale=locale)
        registrations.append(make_registration(session, person, personal_code=code))
    days = session_days(session.id)
    return {"session": session, "today": days[1], "registrations": registrations}


def _marks(day_id):
    """The day's marks as the server saved them (a fresh read, not this test's old snapshot)."""
    db.session.rollback()
    return services.day_marks(day_id)


def _no_horizontal_scroll(page):
    assert page_width(page) <= 360


def test_organiser_checks_in_by_code_and_marks_the_rest_from_a_phone(live_server, phone_page, session_today,
                                                                     tmp_path):
    page = phone_page
    session, today = session_today["session"], session_today["today"]
    first, second = session_today["registrations"][:2]
    log_in(page, live_server, "organiser@example.test", TEST_PASSWORD)

    # Check-in: a scanner types the code (any case, with a dash) and presses Enter.
    page.goto(f"{live_server}/manage/sessions/{session.id}/checkin")
    code = page.get_by_label("Code personnel")
    assert code.evaluate("el => el === document.activeElement")
    code.fill("k7m-2qx")
    code.press("Enter")
    page.wait_for_load_state()
    result = page.get_by_test_id("checkin-result")
    for text in ("Pointé\u202f: présent à", "Nguyen Thi Huong", "Nguyễn Thị Hương", "Trung tá",
                 "Cục Cảnh sát hình sự, Bộ Công an", "Viêt Nam"):
        assert text in result.inner_text(), text
    assert page.get_by_label("Code personnel").input_value() == ""
    _no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "checkin-phone.png"), full_page=True)
    assert_accessible(page)

    # The same code again: already checked in, the mark does not change.
    page.get_by_label("Code personnel").fill("K7M2QX")
    page.get_by_role("button", name="Pointer").click()
    page.wait_for_load_state()
    assert "Déjà pointé à" in page.get_by_test_id("checkin-result").inner_text()
    assert _marks(today.id) == {first.id: AttendanceStatus.PRESENT}

    # The day's sheet: mark everyone else present, then correct one, without reloading.
    page.get_by_role("link", name="Ouvrir la feuille de présence du jour").click()
    page.wait_for_load_state()
    page.evaluate("() => { window.stillTheSamePage = true; }")
    row = page.locator(f"#r-{first.id}")
    assert row.get_by_role("button", name="Présent").get_attribute("aria-pressed") == "true"
    status = page.locator("#sheet-status")
    page.get_by_role("button", name="Marquer présents ceux qui n’ont pas encore de marque").click()
    status.get_by_text("4 participants marqués présents.").wait_for()
    second_row = page.locator(f"#r-{second.id}")
    assert second_row.get_by_role("button", name="Présent").get_attribute("aria-pressed") == "true"
    late = second_row.get_by_role("button", name="En retard")
    box = late.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    late.click()
    status.get_by_text("Enregistré\u202f: Srey Pich, En retard").wait_for()
    assert late.get_attribute("aria-pressed") == "true"
    assert second_row.get_by_role("button", name="Présent").get_attribute("aria-pressed") == "false"
    assert page.evaluate("() => window.stillTheSamePage === true")  # no reload
    assert status.get_attribute("aria-live") == "polite"
    _no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "sheet-phone.png"), full_page=True)
    assert_accessible(page)

    # Reloaded, the page shows what was saved.
    page.reload()
    assert page.evaluate("() => window.stillTheSamePage === undefined")
    assert page.locator(f"#r-{second.id}").get_by_role("button", name="En retard").get_attribute(
        "aria-pressed") == "true"
    assert page.locator("#attendance-sheet [aria-pressed=true]").count() == len(PEOPLE)
    marks = _marks(today.id)
    assert marks[second.id] == AttendanceStatus.LATE
    assert sorted(marks.values()).count(AttendanceStatus.PRESENT) == len(PEOPLE) - 1

    # The grid shows the day and the rates; the sign-in sheet is a PDF.
    page.get_by_role("link", name="Toutes les journées").click()
    page.wait_for_load_state()
    assert "Présence moyenne" in page.content()
    page.screenshot(path=str(tmp_path / "grid-phone.png"), full_page=True)
    assert_accessible(page)


def test_marks_work_without_javascript(live_server, browser, session_today, tmp_path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False,
                                  locale="fr-FR")
    page = context.new_page()
    try:
        session, today = session_today["session"], session_today["today"]
        third = session_today["registrations"][2]
        log_in(page, live_server, "organiser@example.test", TEST_PASSWORD)
        page.goto(f"{live_server}/manage/sessions/{session.id}/attendance/{today.id}")
        page.locator(f"#r-{third.id}").get_by_role("button", name="Excusé").click()
        page.wait_for_load_state()
        assert page.url.endswith(f"#r-{third.id}")
        row = page.locator(f"#r-{third.id}")
        assert row.get_by_role("button", name="Excusé").get_attribute("aria-pressed") == "true"
        assert "Enregistré" in row.inner_text()
        assert _marks(today.id) == {third.id: AttendanceStatus.EXCUSED}
        page.get_by_role("button", name="Marquer présents ceux qui n’ont pas encore de marque").click()
        page.wait_for_load_state()
        assert "4 participants marqués présents." in page.content()
        page.screenshot(path=str(tmp_path / "sheet-no-js.png"), full_page=True)
    finally:
        context.close()


def test_a_long_sheet_in_pages_keeps_the_days_counts_and_finds_people_by_name(app, live_server, page, session_today,
                                                                             tmp_path):
    app.config["ATTENDANCE_SHEET_PER_PAGE"] = 2
    try:
        session, today = session_today["session"], session_today["today"]
        first, second = session_today["registrations"][:2]  # Nguyen Thi Huong (page 2 of 3), Srey Pich (page 3)
        log_in(page, live_server, "organiser@example.test", TEST_PASSWORD)
        page.goto(f"{live_server}/manage/sessions/{session.id}/attendance/{today.id}")
        page.get_by_role("link", name="Suivant").click()
        page.wait_for_load_state()
        assert "Page 2 sur 3" in page.content()
        counts = page.get_by_test_id("sheet-counts")
        assert "5 participants" in counts.inner_text()
        # With the script: a mark on page 2 updates the whole day's counts, without reloading.
        page.evaluate("() => { window.stillTheSamePage = true; }")
        page.locator(f"#r-{first.id}").get_by_role("button", name="En retard").click()
        page.locator("#sheet-status").get_by_text("Enregistré\u202f: Nguyen Thi Huong, En retard").wait_for()
        assert "En retard 1" in counts.inner_text() and "Non relevé 4" in counts.inner_text()
        page.get_by_role("button", name="Marquer présents ceux qui n’ont pas encore de marque").click()
        page.locator("#sheet-status").get_by_text("4 participants marqués présents.").wait_for()
        assert "Présent 4" in counts.inner_text() and "Non relevé 0" in counts.inner_text()
        assert page.evaluate("() => window.stillTheSamePage === true")
        page.screenshot(path=str(tmp_path / "sheet-pages.png"), full_page=True)
        assert_accessible(page)
        # Someone on another page is found by name, with or without accents.
        page.get_by_label("Rechercher un participant").fill("srey")
        page.get_by_role("button", name="Rechercher", exact=True).click()
        page.wait_for_load_state()
        assert page.locator(".sheet-row").count() == 1
        row = page.locator(f"#r-{second.id}")
        assert row.get_by_role("button", name="Présent").get_attribute("aria-pressed") == "true"
        row.get_by_role("button", name="Absent").click()
        page.locator("#sheet-status").get_by_text("Enregistré\u202f: Srey Pich, Absent").wait_for()
        assert _marks(today.id)[second.id] == AttendanceStatus.ABSENT
        assert_accessible(page)
    finally:
        app.config.pop("ATTENDANCE_SHEET_PER_PAGE")
