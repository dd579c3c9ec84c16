"""First journey: each demo role logs in and sees the navigation of its role."""

import pytest
from flask_babel import force_locale, gettext

from registrations.demo import DEMO_PASSWORD
from registrations.models import Role
from tests.browser.conftest import assert_accessible, log_in, page_width

# Each demo account, its role and the interface language it chose (its preference wins).
ROLES = [
    ("admin@demo.test", Role.ADMIN, "fr"),
    ("organiser@demo.test", Role.ORGANISER, "fr"),
    ("partner.vn@demo.test", Role.PARTNER, "vi"),
    ("partner.kh@demo.test", Role.PARTNER, "km"),
    ("partner.la@demo.test", Role.PARTNER, "lo"),
]


@pytest.mark.parametrize("email,role,locale", ROLES)
def test_demo_role_logs_in_and_sees_its_navigation(app, live_server, demo_data, page, tmp_path, email, role, locale):
    log_in(page, live_server, email, DEMO_PASSWORD)
    with app.test_request_context(), force_locale(locale):
        role_label, log_out = role.label, gettext("Log out")
    assert page.locator("html").get_attribute("lang") == locale
    assert role_label in page.get_by_test_id("whoami").inner_text()
    page.screenshot(path=str(tmp_path / f"{email.split('@')[0]}.png"), full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name=log_out).click()
    assert page.get_by_test_id("whoami").count() == 0


def test_language_switch_and_khmer_font(live_server, demo_data, page, tmp_path):
    page.goto(live_server + "/")
    page.get_by_role("button", name="ខ្មែរ").click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "km"
    family = page.evaluate(
        "() => { const el = document.querySelector('h1'); return getComputedStyle(el).fontFamily; }")
    assert "Noto Sans Khmer" in family
    page.wait_for_function("() => document.fonts.check('16px \"Noto Sans Khmer\"', 'ក')")
    assert page.evaluate("() => document.fonts.check('16px \"Noto Sans Khmer\"', 'ក')")
    page.screenshot(path=str(tmp_path / "home-km.png"), full_page=True)
    assert_accessible(page)


def test_login_page_on_a_phone(live_server, phone_page, tmp_path):
    phone_page.goto(live_server + "/login")
    width = page_width(phone_page)
    assert width <= 360
    phone_page.screenshot(path=str(tmp_path / "login-phone.png"), full_page=True)
    assert_accessible(phone_page)
