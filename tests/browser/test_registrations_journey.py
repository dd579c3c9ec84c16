"""A partner nominates a colleague, the organiser approves, the partner sees the new state."""

import re

from sqlalchemy import select

from registrations.demo import DEMO_PASSWORD
from registrations.models import Registration
from tests.browser.conftest import assert_accessible, log_in, page_width


def _log_out(page) -> None:
    page.locator("form[action='/logout'] button").click()
    page.wait_for_load_state()


def test_nomination_approval_and_code(live_server, demo_data, db, make_session, page, phone_page, tmp_path):
    session = make_session(title_fr="Gestion d'une scène de crime", title_vi="Quản lý hiện trường vụ án",
                           city="Phnom Penh", country="KH", capacity=12)
    session_id = session.id
    db.session.remove()

    # The Vietnamese partner (interface in Vietnamese) nominates a colleague of the agency.
    log_in(page, live_server, "partner.vn@demo.test", DEMO_PASSWORD)
    page.goto(f"{live_server}/sessions/{session_id}/nominate")
    assert "Quản lý hiện trường vụ án" in page.content()
    option = page.locator("#participant_id option", has_text="Tran Van Minh")
    page.select_option("#participant_id", value=option.get_attribute("value"))
    page.fill("#needs_diet", "Chay")
    page.fill("#motivation", "Phối hợp điều tra với Campuchia.")
    page.screenshot(path=str(tmp_path / "0-partner-nominates.png"), full_page=True)
    assert_accessible(page)
    page.locator("#submit").click()
    page.wait_for_url(re.compile(r"/registrations/\d+$"))
    registration_id = int(page.url.rsplit("/", 1)[1])
    assert page.locator("[data-testid=registration-state] .state-pending").is_visible()
    page.screenshot(path=str(tmp_path / "1-partner-nominated.png"), full_page=True)
    assert_accessible(page)
    _log_out(page)

    # The organiser approves it from the session's registrations.
    log_in(page, live_server, "organiser@demo.test", DEMO_PASSWORD)
    page.goto(f"{live_server}/manage/sessions/{session_id}/registrations")
    row = page.locator(f"tr[data-registration='{registration_id}']")
    assert "Tran Van Minh" in row.inner_text() and "Chay" in row.inner_text()
    page.check(f"#pick-{registration_id}")
    page.select_option("#action", "approve")
    page.locator("#submit").click()
    page.wait_for_load_state()
    # The summary says what happened to whom and why.
    assert page.locator(f"tr[data-registration='{registration_id}'][data-outcome='accepted']").is_visible()
    assert "Acceptés\u202f: 1 sur 1 sélectionnés." in page.content()
    page.screenshot(path=str(tmp_path / "2-organiser-approved.png"), full_page=True)
    assert_accessible(page)
    _log_out(page)

    # The partner sees the approval, the personal code and its QR code.
    log_in(page, live_server, "partner.vn@demo.test", DEMO_PASSWORD)
    page.goto(f"{live_server}/registrations")
    assert page.locator(f"tr[data-registration='{registration_id}'] .state-approved").is_visible()
    page.screenshot(path=str(tmp_path / "3-partner-list.png"), full_page=True)
    assert_accessible(page)
    page.locator(f"tr[data-registration='{registration_id}'] a[href='/registrations/{registration_id}']").click()
    page.wait_for_load_state()
    code = db.session.scalar(select(Registration.personal_code).where(Registration.id == registration_id))
    assert code and page.get_by_test_id("personal-code").inner_text() == code
    qr = page.locator("img.qr-code")
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert page.evaluate("() => document.querySelector('img.qr-code').naturalWidth") > 0
    page.screenshot(path=str(tmp_path / "4-partner-code.png"), full_page=True)
    assert_accessible(page)

    # The same page on a phone: nothing wider than the screen.
    log_in(phone_page, live_server, "partner.vn@demo.test", DEMO_PASSWORD)
    phone_page.goto(f"{live_server}/registrations/{registration_id}")
    assert page_width(phone_page) <= 360
    phone_page.screenshot(path=str(tmp_path / "5-phone-code.png"), full_page=True)
    assert_accessible(phone_page)
