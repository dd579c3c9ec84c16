"""Sessions journey: an organiser plans and publishes a session through the real form; a
Vietnamese partner finds it by an accent-free search in Vietnamese and reads it in Vietnamese."""

from datetime import date, timedelta

from playwright.sync_api import expect

from registrations.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, log_in, page_width

TITLE_FR = "Médicaments falsifiés vendus en ligne : enquêtes"
TITLE_VI = "Điều tra thuốc giả bán trực tuyến"


def _fits(page, width: int) -> None:
    """Nothing sticks out sideways (no horizontal scrolling on a phone)."""
    assert page_width(page) <= width


def _log_out(page) -> None:
    page.locator("form[action='/logout'] button").click()
    page.wait_for_load_state()


def test_organiser_publishes_and_partner_finds_it_in_vietnamese(live_server, demo_data, page, phone_page, tmp_path):
    start = date.today() + timedelta(days=45)

    # The organiser creates the session through the form…
    log_in(page, live_server, "organiser@demo.test", DEMO_PASSWORD)
    page.get_by_role("link", name="Gérer les sessions").first.click()
    page.get_by_role("link", name="Nouvelle session").click()
    page.get_by_label("Titre (français)").fill(TITLE_FR)
    page.get_by_label("Description (français)").fill("Enquêtes sur les ventes de médicaments falsifiés en ligne.")
    page.locator("summary", has_text="Vietnamien").click()
    page.get_by_label("Titre (vietnamien)").fill(TITLE_VI)
    page.get_by_label("Type", exact=True).select_option("seminar")
    page.get_by_label("Thème").select_option("counterfeits")
    page.get_by_label("Ville").fill("Hà Nội")
    page.get_by_label("Lieu").fill("Bộ Công an, 44 Yết Kiêu")
    page.get_by_label("Date de début").fill(start.isoformat())
    page.get_by_label("Date de fin").fill((start + timedelta(days=2)).isoformat())
    page.get_by_label("Capacité (places)").fill("30")
    page.get_by_label("Vietnamien", exact=True).check()
    page.screenshot(path=str(tmp_path / "organiser-form-1280.png"), full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer comme brouillon").click()

    # … lands on the session's hub as a draft, and publishes it.
    assert page.get_by_test_id("session-status").inner_text() == "Brouillon"
    assert page.get_by_role("link", name="Journées et programme").first.is_visible()
    page.get_by_role("button", name="Publier").click()
    assert page.get_by_test_id("session-status").inner_text() == "Publiée"
    assert_accessible(page)
    _log_out(page)

    # A Vietnamese partner (interface in Vietnamese) searches without accents.
    log_in(page, live_server, "partner.vn@demo.test", DEMO_PASSWORD)
    assert page.locator("html").get_attribute("lang") == "vi"
    page.goto(f"{live_server}/sessions")
    page.get_by_role("searchbox", name="Tìm kiếm").fill("ha noi")
    page.get_by_role("button", name="Tìm kiếm").click()
    card_link = page.get_by_role("link", name=TITLE_VI)
    expect(card_link).to_be_visible()  # waits for the results page, as a reader does
    assert page.get_by_role("link", name="Protection des mineurs face à la criminalité en ligne").count() == 0
    assert page.get_by_role("link", name="Bảo vệ người chưa thành niên trước tội phạm mạng").is_visible()
    assert "Phnom Penh" not in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "catalogue-vi-1280.png"), full_page=True)
    assert_accessible(page)

    card_link.click()
    assert page.get_by_test_id("session-title").inner_text() == TITLE_VI
    assert "Chương trình theo từng ngày" in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "session-vi-1280.png"), full_page=True)
    assert_accessible(page)

    # The same pages on a phone, 360 px wide.
    log_in(phone_page, live_server, "partner.vn@demo.test", DEMO_PASSWORD)
    phone_page.goto(f"{live_server}/sessions?q=ha+noi")
    assert phone_page.get_by_role("link", name=TITLE_VI).is_visible()
    _fits(phone_page, 360)
    phone_page.screenshot(path=str(tmp_path / "catalogue-vi-360.png"), full_page=True)
    assert_accessible(phone_page)
    phone_page.get_by_role("link", name=TITLE_VI).click()
    _fits(phone_page, 360)
    phone_page.screenshot(path=str(tmp_path / "session-vi-360.png"), full_page=True)
    assert_accessible(phone_page)
    phone_page.context.clear_cookies()
    log_in(phone_page, live_server, "organiser@demo.test", DEMO_PASSWORD)
    phone_page.goto(f"{live_server}/manage/sessions/new")
    _fits(phone_page, 360)
    phone_page.screenshot(path=str(tmp_path / "organiser-form-360.png"), full_page=True)
    assert_accessible(phone_page)


def test_catalogue_filters_and_archive_in_the_browser(live_server, demo_data, page, tmp_path):
    page.goto(f"{live_server}/sessions")
    page.get_by_text("Plus de filtres").click()
    page.get_by_label("Thème").select_option("drugs")
    page.get_by_role("button", name="Appliquer les filtres").click()
    page.wait_for_url("**theme=drugs**")
    titles = page.get_by_test_id("session-card").all_inner_texts()
    assert titles and all("Trafic de stupéfiants" in text for text in titles)
    page.get_by_role("link", name="Sessions passées").click()
    assert page.get_by_role("link", name="Gestion d'une scène de crime").is_visible()
    page.get_by_role("link", name="Gestion d'une scène de crime").click()
    assert "Cette session est terminée." in page.get_by_test_id("registration-panel").inner_text()
    page.screenshot(path=str(tmp_path / "archived-session.png"), full_page=True)
    assert_accessible(page)
