"""First journey: each demo role logs in and sees the navigation of its role."""

import pytest

from registrations.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, log_in

ROLES = [
    ("admin@demo.test", "Administrateur"),
    ("organiser@demo.test", "Organisateur"),
    # Partners see the interface in the language of their account.
    ("partner.vn@demo.test", "Đối tác"),
    ("partner.kh@demo.test", "ដៃគូ"),
    ("partner.la@demo.test", "ຄູ່ຮ່ວມມື"),
]


@pytest.mark.parametrize("email,role_label", ROLES)
def test_demo_role_logs_in_and_sees_its_navigation(live_server, demo_data, page, tmp_path, email, role_label):
    log_in(page, live_server, email, DEMO_PASSWORD)
    whoami = page.get_by_test_id("whoami")
    assert role_label in whoami.inner_text()
    page.screenshot(path=str(tmp_path / f"{email.split('@')[0]}.png"), full_page=True)
    assert_accessible(page)
    page.locator("form[action='/logout'] button").click()
    assert page.get_by_role("link", name="Se connecter").first.is_visible()


def test_language_switch_and_khmer_font(live_server, demo_data, page, tmp_path):
    page.goto(live_server + "/")
    page.get_by_role("button", name="ខ្មែរ").click()
    page.wait_for_load_state("load")  # the new page's stylesheets, before reading computed styles
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
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360
    phone_page.screenshot(path=str(tmp_path / "login-phone.png"), full_page=True)
    assert_accessible(phone_page)
