"""Every page type, as every role, in two languages each, on a 360-px phone: axe-core finds no
serious or critical violation and nothing is wider than the screen. Plus the phone menu, the focus
ring of the keyboard, the announced error summary and the fonts a page downloads.

The pages are those of `tests/pages.py` (shared with the HTML validity test).
"""

from registrations.demo import DEMO_PASSWORD
from tests.browser.conftest import log_in, page_width
from tests.pages import ACCOUNTS, catalog

PHONE = {"width": 360, "height": 740}


def _phone(browser):
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR")


def _set_language(page, base_url: str, language: str) -> None:
    """Choose the language in the language bar (kept in the account, or in a cookie for visitors)."""
    if not page.url.startswith(base_url):
        page.goto(base_url + "/")
    with page.expect_navigation():
        page.locator(f'.language-bar button[value="{language}"]').click()


def _send_back_empty(page) -> None:
    """Submit the page's main form as it is (its required fields empty), bypassing the browser's checks."""
    with page.expect_navigation():
        page.evaluate("""() => {
            const forms = [...document.querySelectorAll('main form')].filter(f => f.method === 'post');
            forms.sort((a, b) => b.elements.length - a.elements.length);
            HTMLFormElement.prototype.submit.call(forms[0]);  // a field may be named "submit"
        }""")


def test_every_page_is_accessible_and_fits_a_phone(app, live_server, demo_data, browser):
    """Every role in turn (one demo data set for all: seeding it is the slow part)."""
    from axe_playwright_python.sync_playwright import Axe

    with app.test_request_context():
        cases = catalog()
    axe = Axe()
    problems, seen = [], 0
    for role, (email, languages) in ACCOUNTS.items():
        context = _phone(browser)
        page = context.new_page()
        if email:
            log_in(page, live_server, email, DEMO_PASSWORD)
        for language in languages:
            _set_language(page, live_server, language)
            for case in (case for case in cases if case.role == role):
                response = page.goto(live_server + case.path)
                if case.data is not None:
                    _send_back_empty(page)
                    if page.locator("#error-summary").count():
                        assert page.evaluate("document.activeElement.id") == "error-summary", case.id
                elif response.status != case.status:
                    problems.append((language, case.id, "status", response.status))
                assert page.locator("html").get_attribute("lang") == language, (case.id, language)
                width = page_width(page)
                if width > PHONE["width"]:
                    problems.append((language, case.id, "wider than the phone", width))
                results = axe.run(page).response
                assert results["passes"], case.id  # axe did look at the page
                for v in results["violations"]:
                    if v.get("impact") in ("serious", "critical"):
                        problems.append((language, case.id, v["id"], [n["target"] for n in v["nodes"]][:3]))
                seen += 1
        context.close()
    assert seen == sum(len(languages) * len([c for c in cases if c.role == role])
                       for role, (_email, languages) in ACCOUNTS.items())
    assert seen > 140
    assert problems == []


def test_phone_layouts(app, live_server, demo_data, browser):
    """Opened on a 360-px phone, in the longest brand (Khmer), the menu sits below the brand and its
    button, and the brand keeps whole words on at most three lines; the language bar is one line;
    the session hub shows its tools first on a phone and beside the facts on a wide screen."""
    with app.test_request_context():
        hub = next(case.path for case in catalog() if case.id == "organiser-session-hub")
    context = _phone(browser)
    page = context.new_page()
    log_in(page, live_server, "partner.kh@demo.test", DEMO_PASSWORD)
    for language in ("km", "vi", "fr"):
        _set_language(page, live_server, language)
        page.locator(".navbar-toggler").click()
        page.locator("#main-menu.show").wait_for()
        page.wait_for_timeout(400)  # the collapse animation
        brand = page.locator(".navbar-brand").bounding_box()
        toggler = page.locator(".navbar-toggler").bounding_box()
        items = [link.bounding_box() for link in page.locator("#main-menu .nav-link").all()]
        assert brand["width"] >= 150, (language, brand)  # not squeezed into a column
        assert brand["height"] <= 3 * 1.8 * 16 + 8, (language, brand)  # at most three lines
        assert brand["x"] + brand["width"] <= toggler["x"]
        assert all(item["y"] >= max(brand["y"] + brand["height"], toggler["y"] + toggler["height"]) for item in items)
        assert all(item["x"] >= 0 and item["x"] + item["width"] <= PHONE["width"] for item in items)
        assert page_width(page) <= PHONE["width"]
        # The compact language bar: the five languages on one line.
        tops = {round(button.bounding_box()["y"]) for button in page.locator(".language-bar button").all()}
        assert len(tops) == 1, (language, tops)
    context.close()

    for viewport in (PHONE, {"width": 1280, "height": 900}):
        context = browser.new_context(viewport=viewport, locale="fr-FR")
        page = context.new_page()
        log_in(page, live_server, "organiser@demo.test", DEMO_PASSWORD)
        page.goto(live_server + hub)
        tools = page.locator("#tools-heading").bounding_box()
        seats = page.locator("#seats-heading").bounding_box()
        if viewport is PHONE:
            assert tools["y"] < seats["y"]
        else:
            assert tools["x"] > seats["x"] and abs(tools["y"] - seats["y"]) < 5  # side by side
        context.close()


FOCUS_CHECK = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const linear = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  let node = el.parentElement, background = [255, 255, 255];
  while (node) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { background = c.slice(0, 3); break; }
    node = node.parentElement;
  }
  const ring = parse(style.outlineColor).slice(0, 3);
  const [a, b] = [lum(ring), lum(background)].sort((x, y) => y - x);
  return {tag: el.tagName, text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30),
          style: style.outlineStyle, width: parseFloat(style.outlineWidth), contrast: (a + 0.05) / (b + 0.05),
          id: el.id, focus: el.matches(':focus')};
}"""


def test_keyboard_focus_is_visible_on_every_control(app, live_server, demo_data, browser):
    """Tabbing through the header, the language bar, lists, forms and the attendance sheet's toggle
    buttons (pressed or not): every focused control shows a ring of at least 3 px at 3:1."""
    with app.test_request_context():
        paths = {case.id: case.path for case in catalog()}
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    log_in(page, live_server, "organiser@demo.test", DEMO_PASSWORD)
    sheet = live_server + paths["organiser-attendance-sheet"]
    pages = [live_server + paths[name] for name in ("organiser-home", "organiser-session-hub",
                                                     "organiser-registrations", "organiser-password")] + [sheet]
    weak = []
    for url in pages:
        page.goto(url)
        pressed = 0
        for _ in range(45):
            page.keyboard.press("Tab")
            focus = page.evaluate(FOCUS_CHECK)
            if focus["tag"] == "BODY" or not focus["focus"]:  # walked past the last control
                break
            pressed += page.evaluate("document.activeElement.getAttribute('aria-pressed') === 'true'")
            if focus["style"] == "none" or focus["width"] < 3 or focus["contrast"] < 3:
                weak.append((url.rsplit("/", 1)[-1], focus))
        if url == sheet:
            assert pressed, "the sheet has pressed toggle buttons to reach"
    context.close()
    assert weak == [], [(page_name, sorted(focus.items())) for page_name, focus in weak]


def test_fonts_are_fetched_only_where_the_script_is_used(live_server, demo_data, browser):
    """A French page fetches the two tiny language-name fonts, never the full Khmer or Lao ones; a
    Khmer page fetches the Khmer font it needs."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    fonts: list[str] = []
    page.on("request", lambda request: fonts.append(request.url.rsplit("/", 1)[-1].split("?")[0])
            if request.resource_type == "font" else None)
    page.goto(live_server + "/sessions")
    page.wait_for_load_state("networkidle")
    assert "NotoSansKhmer-Regular.woff2" not in fonts and "NotoSansLao-Regular.woff2" not in fonts
    assert {"KhmerLanguageName.woff2", "LaoLanguageName.woff2"} <= set(fonts)
    fonts.clear()
    context.add_cookies([{"name": "lang", "value": "km", "url": live_server}])
    page.goto(live_server + "/sessions")
    page.wait_for_load_state("networkidle")
    assert "NotoSansKhmer-Regular.woff2" in fonts
    context.close()
