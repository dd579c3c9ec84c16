"""French typography through the catalog and Babel: narrow no-break spaces before : ; ! ?, numbers
in the reader's format, one spelling per country name."""

import re
from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import force_locale

from registrations.sessions.choices import COUNTRY_NAMES, country_name

FRENCH = Path(__file__).resolve().parent.parent / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def test_the_french_catalog_puts_a_narrow_no_break_space_before_double_signs():
    with open(FRENCH, "rb") as handle:
        catalog = read_po(handle, locale="fr")
    wrong = []
    for message in (m for m in catalog if m.id):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wrong += [text for text in strings if text and re.search(r"[ \u00a0][:;!?](?=\s|$)", text)]
    assert wrong == []


def test_one_spelling_per_country_in_each_language(app):
    with app.test_request_context():
        for locale, expected in (("fr", "Viêt Nam"), ("en", "Vietnam"), ("vi", "Việt Nam"), ("km", "វៀតណាម"),
                                 ("lo", "ຫວຽດນາມ")):
            with force_locale(locale):
                assert country_name("VN") == str(COUNTRY_NAMES["VN"]) == expected


def test_label_colons_follow_each_language(app):
    from flask_babel import gettext

    with app.test_request_context():
        for locale, expected in (("fr", "État\u202f:"), ("en", "State:"), ("km", "ស្ថានភាព៖")):
            with force_locale(locale):
                assert gettext("%(label)s:", label=gettext("State")) == expected
