"""Interface languages and how the reader's language is chosen."""

from flask import has_request_context, request
from flask_login import current_user

#: Interface languages, each named in its own language (French is the default).
LANGUAGES = {
    "fr": "Français",
    "en": "English",
    "vi": "Tiếng Việt",
    "km": "ខ្មែរ",
    "lo": "ລາວ",
}
DEFAULT_LOCALE = "fr"
LOCALE_COOKIE = "lang"


def select_locale() -> str:
    """The reader's language: account preference, then cookie, then Accept-Language."""
    if not has_request_context():
        return DEFAULT_LOCALE
    if request.path.startswith("/api/") and request.headers.get("Accept-Language"):
        # A script states its language with each call (RFC 9457 problems are written in it).
        best = request.accept_languages.best_match(list(LANGUAGES))
        if best:
            return best
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LOCALE
