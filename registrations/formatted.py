"""Texts that depend on one value and the reader's language (and time zone), made once per
process: a list page writes the same labels, language and country names and dates again for each
of its rows, and Flask-Babel takes tens of microseconds for each (the translations and the locale
are looked up again at every string, a date goes through Babel's patterns).

The key holds the locale and time zone Flask-Babel gives at the call (`get_locale`,
`get_timezone`), so a text made under `force_locale` (a mail, a PDF) is kept apart from the
page's, and a text never depends on a request.
"""

from collections.abc import Callable, Hashable

from flask_babel import get_locale, get_timezone

#: Texts kept at most; past it, all are dropped and made again as they are asked for (a few
#: thousand labels, names and dates cover the whole scale data in five languages).
LIMIT = 8192
_KEPT: dict = {}


def in_reader_language(key: Hashable, make: Callable[[], str], *, zoned: bool = False) -> str:
    """`make()`, kept under `key`, the reader's language and (when `zoned`: the text shows a
    moment's local date or time) time zone."""
    full = (key, get_locale(), get_timezone() if zoned else None)
    text = _KEPT.get(full)
    if text is None:
        if len(_KEPT) >= LIMIT:
            _KEPT.clear()
        text = _KEPT[full] = make()
    return text
