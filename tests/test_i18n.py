"""Five languages: complete catalogs, the choice of language, fonts served by the app."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from registrations.i18n import LANGUAGES
from scripts.update_catalogs import EXTRACT

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"


def _catalog(locale):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What `pybabel extract` finds in the code and templates today."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", *EXTRACT, "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )
    with open(pot, "rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_catalog_is_complete_and_not_fuzzy(locale):
    catalog = _catalog(locale)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    assert problems == []


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_catalog_holds_every_extracted_string(locale, extracted):
    catalog = _catalog(locale)
    missing = [m.id for m in extracted if m.id and m.id not in catalog]
    assert missing == [], f"run pybabel update: {missing[:10]}"


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_compiled_catalog_matches_its_source(locale):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        compiled = read_mo(handle)
    source = _catalog(locale)
    for message in source:
        if message.id:
            assert compiled.get(message.id, context=message.context) is not None, f"run pybabel compile: {message.id!r}"
            compiled_string = compiled[message.id].string
            if message.pluralizable:
                compiled_string, expected = tuple(compiled_string), tuple(message.string)
            else:
                expected = message.string
            assert compiled_string == expected, f"run pybabel compile: {message.id!r}"


def test_french_is_the_default(client):
    assert 'lang="fr"' in client.get("/").get_data(as_text=True)


def test_accept_language_is_used_without_a_choice(client):
    page = client.get("/", headers={"Accept-Language": "km,en;q=0.5"}).get_data(as_text=True)
    assert 'lang="km"' in page


def test_cookie_beats_accept_language_and_preference_beats_cookie(db, app, partner_user):
    client = app.test_client()
    response = client.post("/language", data={"lang": "lo", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert 'lang="lo"' in client.get("/", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    partner_user.locale = "vi"
    db.session.commit()
    client.login_as(partner_user)
    assert 'lang="vi"' in client.get("/").get_data(as_text=True)


def test_choosing_a_language_when_logged_in_is_remembered_on_the_account(db, partner_client, partner_user):
    partner_client.post("/language", data={"lang": "km"})
    assert partner_user.locale == "km"


def test_unknown_locale_is_refused(client):
    response = client.post("/language", data={"lang": "xx"})
    assert response.status_code == 400
    assert "Cette langue n’est pas disponible." in response.get_data(as_text=True) or \
        "Cette langue n'est pas disponible." in response.get_data(as_text=True)
    client.set_cookie("lang", "xx")
    assert 'lang="fr"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://sub.localhost"},
    {"Origin": "https://evil.example"},  # a browser without Fetch Metadata
    {"Origin": "null"},  # a sandboxed frame or a local file
])
@pytest.mark.parametrize("locale,text", [
    ("fr", "Ce choix de langue a été envoyé depuis un autre site."),
    ("en", "This language choice was sent from another site."),
    ("km", "ការជ្រើសរើសភាសានេះត្រូវបានផ្ញើពីគេហទំព័រផ្សេង។"),
])
def test_a_visitors_language_choice_posted_from_another_site_is_refused(app, headers, locale, text):
    """A visitor without an account posts the language form without a CSRF token: a post that
    another site's page sent is refused, in the visitor's language, and sets nothing."""
    client = app.test_client()
    client.set_cookie("lang", locale)
    response = client.post("/language", data={"lang": "lo", "next": "/sessions"}, headers=headers, csrf=False)
    assert response.status_code == 403
    assert text in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert f'lang="{locale}"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
    {"Origin": "http://localhost"},  # a browser without Fetch Metadata
    {},  # not a browser's page (every browser sends Origin with a form post)
])
def test_a_visitors_language_choice_from_this_site_needs_no_token(app, headers):
    client = app.test_client()
    response = client.post("/language", data={"lang": "lo", "next": "/sessions"}, headers=headers, csrf=False)
    assert response.status_code == 302 and response.headers["Location"] == "/sessions"
    assert 'lang="lo"' in client.get("/").get_data(as_text=True)


def test_a_signed_in_readers_language_choice_needs_the_token(db, partner_client, partner_user):
    """An account's preference is written only with the CSRF token, even from this site."""
    partner_user.locale = "fr"
    db.session.commit()
    refused = partner_client.post("/language", data={"lang": "km"}, csrf=False,
                                  headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"})
    assert refused.status_code == 400
    db.session.refresh(partner_user)
    assert partner_user.locale == "fr"
    assert partner_client.post("/language", data={"lang": "km"}).status_code == 302
    db.session.refresh(partner_user)
    assert partner_user.locale == "km"


def test_language_switch_refuses_external_next(client):
    response = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("locale,text", [
    ("en", "Log in"), ("vi", "Đăng nhập"), ("km", "ចូល"), ("lo", "ເຂົ້າສູ່ລະບົບ"),
])
def test_pages_render_in_each_language(client, locale, text):
    client.set_cookie("lang", locale)
    assert text in client.get("/login").get_data(as_text=True)


def test_khmer_and_lao_fonts_are_served_by_the_app(client):
    with client.get("/static/css/fonts.css") as css:
        assert css.status_code == 200
        body = css.get_data(as_text=True)
    assert "Noto Sans Khmer" in body and "Noto Sans Lao" in body
    urls = [part.split(")")[0].strip("'\"") for part in body.split("url(")[1:]]
    assert len(urls) >= 2
    for url in urls:
        with client.get("/static/css/" + url if not url.startswith("/") else url) as font:
            assert font.status_code == 200 and len(font.data) > 1000, url
