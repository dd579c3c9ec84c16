"""Interface languages and how the reader's language is chosen."""

from flask import has_request_context, request
from flask_babel import get_locale, get_translations
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
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LOCALE


def install_template_gettext(app) -> None:
    """Give templates `_`/`gettext`/`ngettext` that find the reader's catalog in one step.

    Flask-Babel's own callables look the catalog up again for every string, through several
    context lookups; a page with thirty strings spent a fifth of its time there. The catalog of
    each locale is kept for the life of the process (as Flask-Babel does), and the locale is
    asked for at each string, so `force_locale` (emails) still switches language.
    """
    catalogs: dict = {}

    def catalog():
        locale = get_locale()
        found = catalogs.get(locale)
        if found is None:
            found = catalogs[locale] = get_translations()
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalog().ugettext(s),
        ngettext=lambda s, p, n: catalog().ungettext(s, p, n),
        pgettext=lambda c, s: catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalog().unpgettext(c, s, p, n),
        newstyle=True,
    )
