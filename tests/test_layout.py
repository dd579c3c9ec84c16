"""The shared parts of every page, kept per process (registrations/layout.py): always the part
the reader would get rendered afresh, whatever was kept before for someone else."""

import re

import pytest
from flask import render_template_string
from flask_babel import force_locale, gettext, ngettext

from registrations.i18n import LANGUAGES


def _menu(html: str) -> list[str]:
    """The labels of the main menu's links."""
    block = html.split('id="main-menu"', 1)[1].split('<ul class="navbar-nav ms-auto">', 1)[0]
    return [label.strip() for label in re.findall(r'class="nav-link[^"]*"[^>]*>([^<]+)</a>', block)]


def _label(app, text: str, locale: str) -> str:
    with app.test_request_context(), force_locale(locale):
        return gettext(text)


def test_each_role_gets_its_own_menu_whatever_was_kept_before(app, client, partner_client, organiser_client,
                                                              admin_client):
    staff = _label(app, "Manage sessions", "fr")
    ours = _label(app, "Our registrations", "fr")
    administration = _label(app, "Administration", "fr")
    for _ in range(2):  # the second time, every part comes from what was kept
        organiser = _menu(organiser_client.get("/sessions").get_data(as_text=True))
        partner = _menu(partner_client.get("/sessions").get_data(as_text=True))
        visitor = _menu(client.get("/sessions").get_data(as_text=True))
        admin = _menu(admin_client.get("/sessions").get_data(as_text=True))
        assert staff in organiser and ours not in organiser and administration not in organiser
        assert ours in partner and staff not in partner and administration not in partner
        assert staff not in visitor and ours not in visitor and len(visitor) == 2
        assert staff in admin and administration in admin


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_a_language_switch_changes_the_kept_menu_and_bar(app, client, locale):
    client.get("/sessions")  # the French parts are kept first
    client.set_cookie("lang", locale)
    html = client.get("/sessions").get_data(as_text=True)
    assert _menu(html) == [_label(app, "Sessions", locale), _label(app, "Verify a certificate", locale)]
    assert f'value="{locale}" lang="{locale}"\n                class="btn btn-sm btn-secondary"' in html
    assert html.count('aria-pressed="true"') == 1
    assert _label(app, "Language", locale) in html


def test_the_current_page_is_highlighted(client):
    catalogue = client.get("/sessions").get_data(as_text=True)
    verify = client.get("/verify").get_data(as_text=True)
    assert re.search(r'active" href="/sessions"\s+aria-current="page"', catalogue)
    assert 'href="/verify"\n    aria-current="page"' not in catalogue
    assert re.search(r'active" href="/verify"\s+aria-current="page"', verify)
    assert catalogue.count('aria-current="page"') == verify.count('aria-current="page"') == 1


def _bar(html: str) -> dict:
    form = html.split('class="language-bar', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'name="(csrf_token|next)" value="([^"]*)"', form))


def test_the_bar_carries_the_address_and_a_signed_in_readers_token(app, client, partner_client):
    visitor = _bar(client.get("/sessions?q=%3Cb%3E&theme=drugs").get_data(as_text=True))
    assert visitor == {"next": "/sessions?q=%3Cb%3E&amp;theme=drugs"}  # no token without an account
    partner = partner_client.get("/sessions").get_data(as_text=True)
    logout = re.search(r'action="/logout"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"', partner)
    assert _bar(partner)["csrf_token"] == logout.group(1)
    assert _bar(partner)["next"] == "/sessions"
    # The signed-in reader's token is valid: switching the language with it works.
    response = partner_client.post("/language", data={"lang": "en", "next": "/sessions",
                                                      "csrf_token": _bar(partner)["csrf_token"]}, csrf=False)
    assert response.status_code == 302


def test_translations_bound_once_per_page_escape_and_format_like_jinjas(app):
    template = ('{{ _("Hello %(name)s", name="<b>") }}|{{ ngettext("%(num)d participant", "%(num)d participants", 3) }}'
                '|{{ _("Language") }}|{{ gettext("100%%") }}')
    for locale in LANGUAGES:
        with app.test_request_context(), force_locale(locale):
            html = render_template_string(template)
            expected = "|".join([gettext("Hello %(name)s", name="&lt;b&gt;"),
                                 ngettext("%(num)d participant", "%(num)d participants", 3), gettext("Language"),
                                 "100%"])
            assert html == expected


def test_post_button_sends_extra_hidden_fields(app):
    """`post_button(..., hidden={...})` adds hidden fields after the CSRF token, values escaped."""
    template = ('{% from "_forms.html" import post_button %}'
                '{{ post_button("/go", "Go", hidden={"back": "admin", "note": "<b>&"}) }}|'
                '{{ post_button("/go", "Go") }}')
    with app.test_request_context():
        with_fields, plain = render_template_string(template).split("|")
    assert re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', with_fields)[1:] == [
        ("back", "admin"), ("note", "&lt;b&gt;&amp;")]
    assert plain.count('type="hidden"') == 1  # the CSRF token alone


def _whoami(html: str) -> str:
    return re.sub(r"\s+", " ", re.search(r'data-testid="whoami"[^>]*>(.*?)</span>', html, re.S).group(1)).strip()


def test_the_account_part_shows_each_readers_own_name_agency_and_token(app, db, make_user, make_agency):
    from registrations.models import Role

    agency = make_agency("KH")
    first = make_user(Role.PARTNER, agency=agency, display_name="Sok <Dara>")
    second = make_user(Role.PARTNER, agency=make_agency("LA"), display_name="Bounmy")
    one, two = app.test_client().login_as(first), app.test_client().login_as(second)
    for _ in range(2):  # the second time, the parts come from what was kept
        mine, theirs = one.get("/sessions").get_data(as_text=True), two.get("/sessions").get_data(as_text=True)
        assert "<bdi>Sok &lt;Dara&gt;</bdi>" in _whoami(mine) and "Bounmy" not in mine.split("<main", 1)[0]
        assert "<bdi>Bounmy</bdi>" in _whoami(theirs)
        assert f'title="{agency.name_local or agency.name}"' in mine
        tokens = [_bar(page)["csrf_token"] for page in (mine, theirs)]
        logouts = [re.search(r'action="/logout"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
                             page).group(1) for page in (mine, theirs)]
        assert tokens == logouts and tokens[0] != tokens[1]
    # The same account in another browser (another session) gets its own token, not the one
    # the kept part was first drawn with: logging out with the page's first token works there.
    elsewhere = app.test_client().login_as(first)
    page = elsewhere.get("/sessions").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert token == _bar(page)["csrf_token"] and token not in mine
    assert elsewhere.post("/logout", data={"csrf_token": token}, csrf=False).status_code == 302
    # A renamed account shows its new name at once (the kept part is found by what it shows).
    first.display_name = "Sok Dara"
    db.session.commit()
    assert "<bdi>Sok Dara</bdi>" in _whoami(one.get("/sessions").get_data(as_text=True))
    # The token written in is this login's own: logging out with it works.
    page = one.get("/sessions").get_data(as_text=True)
    token = re.search(r'action="/logout"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"', page)
    assert one.post("/logout", data={"csrf_token": token.group(1)}, csrf=False).status_code == 302
    assert one.get("/registrations").status_code in (302, 401)


def test_the_shell_parts_are_the_templates_rendered_afresh(app, client):
    from registrations import layout

    html = client.get("/sessions").get_data(as_text=True)
    with app.test_request_context("/sessions"):
        for name in layout.SHELL_PARTS:
            fresh = render_template_string('{% include "_layout/' + name + '.html" %}')
            assert fresh.strip() and fresh.strip() in html
        with pytest.raises(ValueError):
            layout.shell_part("nothing")


def test_a_macro_bound_to_the_pages_translations_draws_what_the_template_draws(app, make_session):
    """layout.bound_macro (a list's cards drawn from Python) gives the macro's own output in every
    language, its strings looked up in the page's bound translations."""
    from flask import get_template_attribute

    from registrations import layout
    from registrations.models import utcnow

    session = make_session(title_fr="Analyse criminelle", interpretation="km,lo", capacity=1)
    now = utcnow()
    for locale in LANGUAGES:
        with app.test_request_context(), force_locale(locale):
            bound = layout.bound_macro("sessions/_macros.html", "registration_state")(session, now)
            plain = get_template_attribute("sessions/_macros.html", "registration_state")(session, now)
            assert bound == plain and str(bound).strip()
            bound = layout.bound_macro("sessions/_macros.html", "seats")(session)
            assert bound == get_template_attribute("sessions/_macros.html", "seats")(session)
            assert ngettext("%(num)d seat left of %(capacity)d", "%(num)d seats left of %(capacity)d", 1,
                            capacity=1) in bound
