"""Countries and languages a session is held in or open to, with translated names."""

from babel import Locale
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l

from registrations.formatted import in_reader_language


def country_name(code: str | None) -> str:
    """The country's name in the reader's language, as the Unicode CLDR spells it (through Babel),
    so that every page, PDF and mail writes it one way ("Viêt Nam" in French); the code itself
    when unknown."""
    code = code or ""
    return in_reader_language(("country", code), lambda: _country_name(code))


def _country_name(code: str) -> str:
    try:
        return Locale.parse(str(get_locale() or "fr")).territories.get(code, code)
    except (ValueError, TypeError):
        return code


#: Host and partner countries of the programme (ISO 3166-1 alpha-2), in display order.
COUNTRY_NAMES = {code: LazyString(country_name, code) for code in ("VN", "KH", "LA", "FR")}

#: Working and interpretation languages (the content languages of a session).
LANGUAGE_NAMES = {
    "fr": _l("French"),
    "en": _l("English"),
    "vi": _l("Vietnamese"),
    "km": _l("Khmer"),
    "lo": _l("Lao"),
}


def language_name(code: str | None) -> str:
    """The translated name of a language code (the code itself when unknown)."""
    return in_reader_language(("language", code), lambda: str(LANGUAGE_NAMES.get(code or "", code or "")))


def languages_in_words(text: str | None) -> str:
    """Language codes typed in a free-text field ("km", "vi, lo") named in the reader's language;
    any other text is kept as written."""
    parts = [part.strip() for part in (text or "").replace(";", ",").split(",")]
    if parts and all(part.lower() in LANGUAGE_NAMES for part in parts):
        return ", ".join(language_name(part.lower()) for part in parts)
    return text or ""
