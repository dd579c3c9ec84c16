"""Kiosk mode on a shared phone: participants check themselves in, in their language; only the
organiser's password ends it."""

from datetime import timedelta

import pytest

from registrations.attendance import services
from tests.browser.conftest import assert_accessible, log_in, page_width
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def session_today(app, make_session, make_participant, make_registration, organiser_user):
    today = services.local_today()
    session = make_session(days=2, start=today - timedelta(days=1), title_fr="Lutte contre la fraude documentaire")
    make_registration(session, make_participant(name_latin="Keo Sophea", name_native="កែវ សុភា", locale="km"),
                      personal_code="H6J2WD")
    make_registration(session, make_participant(name_latin="Pham Quoc Bao"), personal_code="T8R4MV")
    return session


def test_participants_check_themselves_in_at_the_kiosk(live_server, phone_page, session_today, tmp_path):
    page = phone_page
    log_in(page, live_server, "organiser@example.test", TEST_PASSWORD)
    page.goto(f"{live_server}/manage/sessions/{session_today.id}/checkin")
    page.get_by_role("link", name="Mode borne").click()
    page.get_by_role("button", name="Passer en mode borne").click()
    page.wait_for_load_state()
    assert page.locator("#main-menu").count() == 0
    # A participant switches to Khmer and types their code.
    page.get_by_role("button", name="ខ្មែរ").click()
    page.wait_for_load_state()
    page.get_by_label("លេខកូដផ្ទាល់ខ្លួន").fill("h6j2wd")
    page.get_by_label("លេខកូដផ្ទាល់ខ្លួន").press("Enter")
    page.wait_for_load_state()
    result = page.get_by_test_id("kiosk-result")
    assert "សូមស្វាគមន៍" in result.inner_text() and "កែវ សុភា" in result.inner_text()
    assert "Pham Quoc Bao" not in page.content()
    assert page_width(page) <= 360
    page.screenshot(path=str(tmp_path / "kiosk-km.png"), full_page=True)
    assert_accessible(page)
    # Another page cannot be opened.
    page.goto(f"{live_server}/manage/sessions")
    assert page.url.endswith(f"/manage/sessions/{session_today.id}/kiosk")
    # Leaving needs the organiser's password.
    page.get_by_role("button", name="Français").click()
    page.wait_for_load_state()
    page.get_by_text("Organisateur\u202f: quitter le mode borne").click()
    page.get_by_label("Mot de passe de l’organisateur").fill("wrong password")
    page.get_by_role("button", name="Quitter le mode borne").click()
    page.wait_for_load_state()
    assert "Ce n’est pas le mot de passe de l’organisateur." in page.content()
    assert_accessible(page)
    page.get_by_label("Mot de passe de l’organisateur").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Quitter le mode borne").click()
    page.wait_for_load_state()
    assert "Mode borne terminé." in page.content()
    page.goto(f"{live_server}/manage/sessions")
    assert page.url.endswith("/manage/sessions")
