"""Every language stays right request after request (forms, templates, enum labels)."""

from babel import support
from flask import render_template_string
from flask_babel import force_locale
from wtforms.i18n import messages_path

from config import load_config
from registrations.i18n import LOCALE_COOKIE
from registrations.models import Role


def _wtforms(locale: str, message: str) -> str:
    return support.Translations.load(messages_path(), [locale], domain="wtforms").ugettext(message)


def test_form_messages_follow_the_reader_language_request_after_request(client):
    required = "This field is required."
    french = _wtforms("fr", required)
    assert french != required
    for locale, expected in (("fr", french), ("en", required), ("fr", french)):  # WTForms has no vi, km, lo
        client.set_cookie(LOCALE_COOKIE, locale)
        page = client.post("/login", data={"email": "", "password": ""}).get_data(as_text=True)
        assert expected in page, locale
        assert (french in page) == (locale == "fr")


def test_template_strings_follow_forced_locales(app):
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        french = render_template_string("{{ _('Log in') }}")
        with force_locale("vi"):
            vietnamese = render_template_string("{{ _('Log in') }}")
        assert french == "Se connecter"
        assert vietnamese not in (french, "Log in")
        assert render_template_string("{{ _('Log in') }}") == french


def test_enum_labels_are_translated_at_each_use(app):
    with app.test_request_context("/"):
        with force_locale("fr"):
            french = Role.PARTNER.label
        with force_locale("en"):
            english = Role.PARTNER.label
            assert str(dict(Role.choices())["partner"]) == "Partner"
    assert english == "Partner" and french == "Partenaire"


def test_no_database_is_pinged_at_every_checkout():
    """Network databases are pinged only after a connection idled (registrations/pool.py)."""
    sqlite = load_config({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"})
    postgres = load_config({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/x"})
    assert sqlite["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
    assert postgres["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
    assert postgres["DB_PING_AFTER_IDLE"] == 10
