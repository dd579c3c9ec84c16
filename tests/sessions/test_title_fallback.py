"""The office's fallback order for session titles (TITLE_FALLBACKS), used by pages, mails and PDFs."""

import re

import pytest
from flask_babel import force_locale

from registrations.enrolment import services
from registrations.enrolment.services import RegistrationRequest
from registrations.transaction import run


@pytest.fixture
def bilingual(make_session):
    return make_session(title_fr="Gestion de la scène de crime", title_en="Crime scene management")


@pytest.mark.parametrize("locale,expected", [("km", "Crime scene management"), ("lo", "Crime scene management"),
                                             ("vi", "Crime scene management"), ("fr", "Gestion de la scène de crime")])
def test_pages_follow_the_fallback_order(client, bilingual, locale, expected):
    html = client.get(f"/sessions/{bilingual.id}", headers={"Accept-Language": locale}).get_data(as_text=True)
    assert expected in html
    if locale != "fr":
        assert 'lang="en"' in html


def test_the_order_is_the_office_s_choice(app, bilingual):
    app.config["TITLE_FALLBACKS"] = "km:fr"
    with app.test_request_context(), force_locale("km"):
        assert bilingual.title == "Gestion de la scène de crime" and bilingual.title_lang == "fr"
    app.config["TITLE_FALLBACKS"] = "km:vi,en"
    bilingual.title_vi = "Quản lý hiện trường"
    with app.test_request_context(), force_locale("km"):
        assert bilingual.title == "Quản lý hiện trường"
    with app.test_request_context(), force_locale("lo"):  # no order given: French
        assert bilingual.title == "Gestion de la scène de crime"


def test_mails_use_the_fallback_title(db, bilingual, make_participant, make_agency, outbox):
    agency = make_agency("KH")
    person = make_participant(agency, locale="km")
    run(services.register, bilingual.id, RegistrationRequest(agency_id=agency.id, participant_id=person.id))
    message = [m for m in outbox if m.to == person.email][-1]
    assert "Crime scene management" in message.subject


@pytest.mark.parametrize("locale,lang", [("km", "km"), ("lo", "en"), ("fr", "fr")])
def test_cards_and_headings_say_the_language_of_the_title_they_show(client, make_session, locale, lang):
    """Screen readers read a title in its own language: a card in the catalogue and the
    session's heading carry the language of the title shown (the reader's, else the fallback)."""
    session = make_session(title_fr="Gestion de la scène de crime", title_en="Crime scene management",
                           title_km="ការគ្រប់គ្រងកន្លែងកើតហេតុ")
    shown = {"km": "ការគ្រប់គ្រងកន្លែងកើតហេតុ", "en": "Crime scene management", "fr": "Gestion de la scène de crime"}
    headers = {"Accept-Language": locale}
    catalogue = client.get("/sessions?q=crime", headers=headers).get_data(as_text=True)
    assert re.search(rf'id="session-{session.id}-title" lang="{lang}">\s*<a [^>]*>{shown[lang]}</a>', catalogue)
    page = client.get(f"/sessions/{session.id}", headers=headers).get_data(as_text=True)
    assert re.search(rf'<h1 class="h2" lang="{lang}" data-testid="session-title">{shown[lang]}</h1>', page)
