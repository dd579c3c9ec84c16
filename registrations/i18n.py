"""Interface languages and how the reader's language is chosen."""

from functools import lru_cache

from flask import current_app, has_app_context, has_request_context, request, session
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
#: Key of the cookie session holding a language chosen for this device's login only, not for the
#: account: a kiosk, where participants switch the language on a device an organiser is logged in on.
DEVICE_LOCALE_KEY = "device_locale"


#: The API's documentation page: read by people in the language they chose, like every page.
API_DOCS_PAGE = "/api/v1/docs"


def select_locale() -> str:
    """The reader's language: the login's device choice (a kiosk), account preference, then
    cookie, then Accept-Language."""
    if not has_request_context():
        return DEFAULT_LOCALE
    stated = _stated_by_api_call()
    if stated:
        return stated
    if current_user and current_user.is_authenticated:
        if session.get(DEVICE_LOCALE_KEY) in LANGUAGES:
            return session[DEVICE_LOCALE_KEY]
        if current_user.locale in LANGUAGES:
            return current_user.locale
    return _chosen_by_visitor()


def visitor_locale() -> str:
    """`select_locale` for a reader without an account (a request without a cookie session),
    without looking for one."""
    return _stated_by_api_call() or _chosen_by_visitor()


def _stated_by_api_call() -> str | None:
    """The language an API call states (a script states it with each call: RFC 9457 problems
    are written in it); the documentation page is a page like the others."""
    if (request.path.startswith("/api/") and request.path != API_DOCS_PAGE
            and request.headers.get("Accept-Language")):
        return request.accept_languages.best_match(list(LANGUAGES))
    return None


def _chosen_by_visitor() -> str:
    """The language of the cookie, else of Accept-Language, else French."""
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LOCALE


@lru_cache(maxsize=8)
def _parse_fallbacks(setting: str) -> dict[str, tuple[str, ...]]:
    """"km:en,fr; lo:en,fr" → {"km": ("km", "en", "fr"), "lo": ("lo", "en", "fr")}; French always
    closes each order, and languages that are not interface languages are ignored."""
    orders = {}
    for part in (setting or "").split(";"):
        reader, _, rest = part.partition(":")
        reader = reader.strip().lower()
        if reader not in LANGUAGES:
            continue
        order = [reader]
        for code in rest.split(","):
            code = code.strip().lower()
            if code in LANGUAGES and code not in order:
                order.append(code)
        if DEFAULT_LOCALE not in order:
            order.append(DEFAULT_LOCALE)
        orders[reader] = tuple(order)
    return orders


def content_order(locale: str) -> tuple[str, ...]:
    """The languages in which a session's texts are looked for, for a reader of `locale`: theirs,
    then the office's fallbacks (`TITLE_FALLBACKS`, e.g. km → en → fr), French last."""
    setting = current_app.config.get("TITLE_FALLBACKS", "") if has_app_context() else ""
    order = _parse_fallbacks(setting).get(locale)
    if order is None:
        order = (locale, DEFAULT_LOCALE) if locale != DEFAULT_LOCALE else (DEFAULT_LOCALE,)
    return order
