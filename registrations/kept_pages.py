"""Whole pages of signed-in readers, kept while nothing they show has changed.

A partner's registrations, a session's list of registrations and an attendance sheet show rows
of many tables and cost milliseconds to read and draw. A page marked `@kept_for_reader` is kept
per process under who reads it (the account and its role), its address with its arguments, the
reader's language, the office's date and the *office version* (sessions/version.py): a counter
bumped in the same transaction as every write, whatever it writes. The version is read before
anything the page shows (once per request, before the transaction: `version.seen`; else in the
request's transaction), so a kept page is never older than the data: the next write, anywhere,
makes every kept page unreachable. No clock is trusted,
except for what the view says itself (`valid_until`: a waiting-list offer that runs out).

Only a plain answer is kept: status 200, HTML, no header of its own, no message waiting to be
shown, nothing written to the cookie session but the CSRF token. The token of the request that
drew the page is replaced in the kept copy by a mark, and each reader's own token is written in
when it is served. The access rule of the view still runs first at every request, and the login
is checked as on every page (`load_user`, once per office version: `logins.verified`).

Pages are kept in the process only (never in Redis: they hold personal data), at most `SIZE`.
"""

from datetime import datetime
from functools import wraps

from flask import current_app, g, make_response, request
from flask import session as visit
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from registrations import layout
from registrations.extensions import db
from registrations.models import utcnow
from registrations.sessions import fragments, version
from registrations.sessions.base import local_today

#: Pages kept per process (the least recently used go first).
SIZE = 64
#: Headers a kept answer may have: anything else (a download, a redirect) is not kept.
_PLAIN_HEADERS = frozenset({"content-type", "content-length"})
_UNTIL = "registrations.kept_page_until"


def _store() -> fragments.Fragments:
    store = current_app.extensions.get("reader_pages")
    if store is None:
        store = current_app.extensions["reader_pages"] = fragments.Fragments(SIZE)
    return store


def valid_until(moment: datetime | None) -> None:
    """Say, from a view, that the page it draws changes by itself at `moment` (None: never)."""
    current = request.environ.get(_UNTIL)  # per request (an application context can outlive one)
    if moment is not None and (current is None or moment < current):
        request.environ[_UNTIL] = moment


def plain_answer(response) -> bool:
    """Whether `response` is a plain page that may be kept: status 200, HTML, whole (not
    streamed), with no header of its own (no cookie, no download, no redirect)."""
    return (response.status_code == 200 and response.mimetype == "text/html" and not response.is_streamed
            and {name.lower() for name, _value in response.headers.items()} <= _PLAIN_HEADERS)


def _visit_state() -> dict:
    return {key: value for key, value in visit.items() if key != "csrf_token"}


def kept_for_reader(view):
    """Keep the view's page per signed-in reader (see above). Put it under the access rule."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.method != "GET" or not current_user.is_authenticated or layout.session_has_messages():
            return view(*args, **kwargs)
        now = utcnow()
        versions = version.seen(db.session())  # read before the account was loaded, if it was
        key = (request.full_path, current_user.id, current_user.role, str(get_locale()), local_today(),
               versions[1] if versions else version.office(db.session))
        store = _store()
        kept = store.get(key, now)
        if kept is not None:
            return fragments.served(kept)
        before = _visit_state()
        response = make_response(view(*args, **kwargs))
        if plain_answer(response) and not db.session.info.get(version.WROTE) and _visit_state() == before:
            html = response.get_data(as_text=True)
            token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
            if token:
                html = html.replace(token, fragments.TOKEN_MARK)
            until = request.environ.get(_UNTIL)
            if until is None or until > now:
                store.put(key, fragments.Fragment(Markup(html), 200, until))  # noqa: S704  # nosec B704 (drawn by our own templates)
        return response

    return wrapped
