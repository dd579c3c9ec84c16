"""Small things readers see: one date format to the minute, numbers and languages in words of
the reader's language, a full session called full."""

import re
from datetime import datetime, timezone

from flask import render_template_string
from flask_babel import force_locale

from registrations.formats import PageDates, decimal
from registrations.models import RegistrationState
from registrations.sessions.choices import languages_in_words


def test_one_date_format_without_seconds(app):
    moment = datetime(2026, 3, 9, 2, 5, 42, 123456, tzinfo=timezone.utc)
    with app.test_request_context(), force_locale("fr"):
        by_filter = render_template_string("{{ value|moment }}", value=moment)
        assert PageDates().moment(moment) == by_filter == "9 mars 2026, 09:05"  # office clock, UTC+7
    with app.test_request_context(), force_locale("en"):
        assert PageDates().moment(moment) == render_template_string("{{ value|moment }}", value=moment)
        assert ":42" not in PageDates().moment(moment)


def test_numbers_in_the_readers_locale(app):
    with app.test_request_context():
        with force_locale("fr"):
            assert decimal(3.8) == "3,8"
            assert render_template_string("{{ 4|decimal }}") == "4,0"
        with force_locale("en"):
            assert decimal(3.84) == "3.8"
        assert decimal(None) == ""


def test_interpretation_codes_in_words(app):
    with app.test_request_context(), force_locale("fr"):
        assert languages_in_words("km").lower() == "khmer"
        assert languages_in_words("vi, LO").lower() == "vietnamien, lao"
        assert languages_in_words("Khmer et anglais") == "Khmer et anglais"
        assert languages_in_words("") == ""


def test_needs_column_names_the_language(organiser_client, make_session, make_registration):
    session = make_session()
    make_registration(session, needs_interpretation="km", needs_diet="Halal")
    html = organiser_client.get(f"/manage/sessions/{session.id}/registrations").get_data(as_text=True)
    cell = re.search(r'data-label="Besoins" class="small">(.*?)</td>', html).group(1)
    assert "interprétation" in cell and re.search(r"[Kk]hmer", cell) and "Halal" in cell
    assert ">km<" not in cell and " km" not in cell


def test_a_full_open_session_says_full(client, make_session, make_registration):
    session = make_session(capacity=1)
    make_registration(session, state=RegistrationState.APPROVED)
    html = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert ">Complet<" in html
    assert "Inscriptions ouvertes" not in html


def test_french_fallback_titles_say_they_are_french(app, db, organiser_user, make_session):
    """An organiser reading in English sees French titles marked lang="fr" (screen readers switch voice)."""
    from registrations.models import User

    session = make_session(title_fr="Gestion d’une scène de crime")
    db.session.get(User, organiser_user.id).locale = "en"
    db.session.commit()
    client = app.test_client().login_as(organiser_user)
    hub = client.get(f"/manage/sessions/{session.id}").get_data(as_text=True)
    assert '<h1 class="h2" lang="fr">Gestion d’une scène de crime</h1>' in hub
    results = client.get(f"/manage/sessions/{session.id}/evaluation").get_data(as_text=True)
    assert '<h1 class="h3" lang="fr">Gestion d’une scène de crime</h1>' in results
    registrations = client.get(f"/manage/sessions/{session.id}/registrations").get_data(as_text=True)
    assert 'lang="fr">Gestion d’une scène de crime</a>' in registrations


def test_texts_kept_per_language_follow_the_reader(app, monkeypatch):
    """Labels, language and country names and dates are made once per language (and time zone)
    and kept: each reader still gets their own language, and a text made once is not made again."""
    from datetime import date

    import registrations.templating as templating
    from registrations import formatted
    from registrations.models import SessionKind
    from registrations.sessions.choices import country_name, language_name

    class Dates:
        start_date, end_date = date(2031, 7, 1), date(2031, 7, 5)

    monkeypatch.setattr(formatted, "_KEPT", {})  # what earlier tests of this process made
    made = []
    real_interval = templating.format_interval
    monkeypatch.setattr(templating, "format_interval", lambda *a, **k: made.append(a) or real_interval(*a, **k))
    evening = datetime(2031, 3, 8, 20, 0, tzinfo=timezone.utc)  # already 9 March at the office (UTC+7)
    expected = {
        "fr": ("Séminaire", "Khmer", "Viêt Nam", "1–5 juil. 2031", "9 mars 2031"),
        "en": ("Seminar", "Khmer", "Vietnam", "Jul 1\u2009–\u20095, 2031", "Mar 9, 2031"),
        "vi": ("Hội thảo", "Tiếng Khmer", "Việt Nam", "1\u2009–\u20095 thg 7, 2031", "9 thg 3, 2031"),
    }
    with app.test_request_context():
        for _round in range(2):
            for locale, texts in expected.items():
                with force_locale(locale):
                    assert (SessionKind.SEMINAR.label, language_name("km"), country_name("VN"),
                            templating.date_range(Dates), templating.local_date(evening)) == texts
                    assert templating.local_date(evening) == render_template_string(
                        '{{ v|dateformat("medium") }}', v=evening)
        assert len(made) == 3  # one date range per language, the second round kept them
        assert templating.local_date(None) == ""
