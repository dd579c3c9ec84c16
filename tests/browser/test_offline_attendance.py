"""The day's sheet without a network, on a 360-px phone: marks kept on the device, through a
reload and a browser restart, sent once when the network returns; two devices on one cell."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registrations.attendance import services
from registrations.attendance.queries import session_days
from registrations.extensions import db
from registrations.models import Attendance, AttendanceStatus, OfflineMark
from tests.browser.conftest import CHROMIUM_ARGS, assert_accessible, log_in
from tests.conftest import TEST_PASSWORD

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "fr-FR"}
NAMES = ["Nguyen Thi Huong", "Srey Pich", "Khamla Phommachanh", "Keo Sophea", "Pham Quoc Bao", "Vong Dara",
         "Le Van Nam", "Sisavath Inthavong", "Chan Sokha", "Tran Minh Duc", "Bounmy Keola"]


@pytest.fixture
def eleven(app, make_session, make_participant, make_registration, organiser_user, admin_user):
    today = services.local_today()
    session = make_session(days=3, start=today - timedelta(days=1), title_fr="Gestion d’une scène de crime")
    registrations = [make_registration(session, make_participant(name_latin=name)) for name in NAMES]
    return {"session": session, "today": session_days(session.id)[1], "registrations": registrations}


def _server(day_id):
    db.session.rollback()
    return (services.day_marks(day_id),
            db.session.scalar(select(func.count()).select_from(OfflineMark)),
            db.session.scalar(select(func.count()).select_from(Attendance)))


def _open_sheet(page, url):
    page.goto(url)
    page.wait_for_selector("#attendance-sheet[data-offline-ready=true]")


def test_ten_marks_offline_survive_reload_and_restart_and_arrive_once(live_server, playwright_instance,
                                                                    chromium_path, eleven, tmp_path):
    session, day = eleven["session"], eleven["today"]
    people = eleven["registrations"][:10]
    url = f"{live_server}/manage/sessions/{session.id}/attendance/{day.id}"
    profile = tmp_path / "profile"

    def launch(offline: bool = False):
        return playwright_instance.chromium.launch_persistent_context(
            str(profile), executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS, offline=offline, **PHONE)

    context = launch()
    page = context.pages[0] if context.pages else context.new_page()
    log_in(page, live_server, "organiser@example.test", TEST_PASSWORD)
    _open_sheet(page, url)
    page.evaluate("() => navigator.serviceWorker.ready")
    _open_sheet(page, url)  # now through the service worker, which keeps the page
    context.set_offline(True)
    for person in people:
        page.locator(f"#r-{person.id}").get_by_role("button", name="Présent").click()
    pending = page.locator("#sheet-pending")
    pending.get_by_text("10").wait_for()
    assert page.locator(".sheet-row-pending").count() == 10
    assert page.locator("#sheet-offline").is_visible()
    assert _server(day.id) == ({}, 0, 0)
    page.screenshot(path=str(tmp_path / "offline-marked.png"), full_page=True)
    assert_accessible(page)

    page.reload()
    page.wait_for_selector("#attendance-sheet[data-offline-ready=true]")
    assert page.locator(".sheet-row-pending").count() == 10
    row = page.locator(f"#r-{people[0].id}")
    assert row.get_by_role("button", name="Présent").get_attribute("aria-pressed") == "true"
    context.close()

    # The phone restarts without a network (offline from its first moment: a browser started
    # online may send the waiting marks before it is told otherwise); the sheet opens from the
    # device, the marks still waiting.
    context = launch(offline=True)
    page = context.pages[0] if context.pages else context.new_page()
    _open_sheet(page, url)
    assert page.locator(".sheet-row-pending").count() == 10
    assert _server(day.id) == ({}, 0, 0)

    # The network returns; the login ended with the browser, so the organiser logs in again.
    context.set_offline(False)
    log_in(page, live_server, "organiser@example.test", TEST_PASSWORD)
    _open_sheet(page, url)
    page.wait_for_selector("#sheet-pending", state="hidden")
    assert page.locator(".sheet-row-pending").count() == 0
    marks, received, cells = _server(day.id)
    assert marks == {person.id: AttendanceStatus.PRESENT for person in people}
    assert (received, cells) == (10, 10)
    # Sent again (as after a lost answer), nothing doubles.
    page.reload()
    page.wait_for_selector("#attendance-sheet[data-offline-ready=true]")
    assert _server(day.id)[1:] == (10, 10)
    page.screenshot(path=str(tmp_path / "offline-sent.png"), full_page=True)
    context.close()


def test_two_phones_mark_the_same_person_offline_and_the_later_mark_wins(live_server, browser, eleven, tmp_path):
    session, day = eleven["session"], eleven["today"]
    person = eleven["registrations"][1]
    url = f"{live_server}/manage/sessions/{session.id}/attendance/{day.id}"
    phones = []
    for email in ("organiser@example.test", "admin@example.test"):
        context = browser.new_context(**PHONE)
        page = context.new_page()
        log_in(page, live_server, email, TEST_PASSWORD)
        _open_sheet(page, url)
        context.set_offline(True)
        phones.append((context, page))
    try:
        (first_context, first), (second_context, second) = phones
        first.locator(f"#r-{person.id}").get_by_role("button", name="Présent").click()
        first.locator("#sheet-pending").wait_for()
        second.wait_for_timeout(50)
        second.locator(f"#r-{person.id}").get_by_role("button", name="Absent").click()
        second.locator("#sheet-pending").wait_for()
        # The later mark arrives first; the earlier one, sent next, loses and is reported.
        second_context.set_offline(False)
        second.wait_for_selector("#sheet-pending", state="hidden")
        first_context.set_offline(False)
        first.wait_for_selector("#sheet-pending", state="hidden")
        assert _server(day.id)[0] == {person.id: AttendanceStatus.ABSENT}
        conflicts = first.locator("#sheet-conflicts")
        conflicts.wait_for()
        assert "Srey Pich" in conflicts.inner_text()
        row = first.locator(f"#r-{person.id}")
        assert row.get_by_role("button", name="Absent").get_attribute("aria-pressed") == "true"
        first.screenshot(path=str(tmp_path / "conflict.png"), full_page=True)
        assert_accessible(first)
        second.reload()
        assert "Srey Pich" in second.locator("#sheet-conflicts").inner_text()
    finally:
        for context, _page in phones:
            context.close()
