"""Public pages of plain visitors, answered before the rest of the request's work.

A *plain visitor* sends no cookie session and no remembered login (and no credentials): no
account, no message waiting, no kiosk, no CSRF token. The pages such a visitor reads most (the
catalogue, a session's page, the home page) are kept whole by the views already (see
sessions/fragments.py), under the version of what public pages show, the language and the
office's date. Finding them there still costs the whole request: the rate limiter's check,
Flask-Login looking for an account, the view's arguments, the page's key.

So when a view serves such a kept whole page to a plain visitor, it also offers it here, under
what the request asked for (its path and query string, byte for byte), the visitor's language,
the office's date and the version of the public pages (read once per request, see
sessions/version.py). The first hook of every request (`serve`) answers a plain visitor's GET
or HEAD with the page kept under those, before any other hook and before the view: the answer
is the same page, and the after-request hooks (security headers, compression, the cookie
session's `Vary`) still make its headers as for any page.

Nothing is kept that the view did not answer in full for a plain visitor with status 200 and no
header or cookie of its own, nor for a view with a rate limit (the first hook would skip its
count); every kept page goes with the version it was drawn under and expires with the view's own
copy (the next moment one of its sessions opens or closes its registrations). A write, anywhere,
makes every kept page unreachable, as for the views' own copies.

Kept per process only (at most `SIZE` pages): the lookup must cost less than what it saves.
"""

from flask import Request, current_app, request
from flask import session as visit
from flask_login import COOKIE_NAME as REMEMBER_COOKIE

from registrations.extensions import _without_limit, db
from registrations.i18n import visitor_locale
from registrations.kept_pages import plain_answer
from registrations.models import utcnow
from registrations.sessions import fragments, version
from registrations.sessions.base import local_today

#: Whole pages of plain visitors kept per process (the least recently used go first).
SIZE = 64
#: Key in the request's WSGI environment of the key of a plain visitor's page (see `serve`).
_KEY = "registrations.visitor_page_key"


class _Kept:
    """The kept pages of a process, and the endpoints that ever offered one: a request for
    any other page (a certificate's verification, the login form) costs no lookup, and no
    reading of the version."""

    def __init__(self):
        self.pages = fragments.Fragments(SIZE)
        self.endpoints: set[str] = set()


def _kept(app) -> _Kept:
    kept = app.extensions.get("visitor_pages")
    if kept is None:
        kept = app.extensions["visitor_pages"] = _Kept()
    return kept


def plain_visitor(req: Request) -> bool:
    """Whether this request comes from a plain visitor (see above): a GET or HEAD without a
    cookie session, a remembered login or an `Authorization` header."""
    cookies, config = req.cookies, current_app.config
    return (req.method in ("GET", "HEAD") and config["SESSION_COOKIE_NAME"] not in cookies
            and config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE) not in cookies
            and "Authorization" not in req.headers)


def _key(req: Request) -> tuple:
    return (req.path, req.query_string, visitor_locale(), local_today(), fragments.sessions_version())


def serve():
    """The first hook of every request: a plain visitor's kept page, else None (the request goes
    on as usual; the version read here is read once for the whole request)."""
    req = request._get_current_object()  # one lookup of the request for all that follows
    kept = _kept(current_app._get_current_object())
    if req.endpoint not in kept.endpoints or not plain_visitor(req):
        return None
    key = req.environ[_KEY] = _key(req)
    page = kept.pages.get(key, utcnow())
    if page is None:
        return None
    # As the view's answer, whose reading of the account looks at the cookie session: the
    # answer varies by cookie.
    visit.accessed = True
    return page.html, 200


def keep(response):
    """After the view: keep the whole page it served to a plain visitor (fragments.served), if
    its answer is that page alone, with status 200 and no header or cookie of its own."""
    req = request._get_current_object()
    page = req.environ.pop(fragments.ANONYMOUS_PAGE, None)
    if page is None or page.status != 200 or not plain_answer(response):
        return response
    key = req.environ.get(_KEY)
    if key is None:
        if not plain_visitor(req):
            return response
        key = _key(req)
    cookie_session = visit._get_current_object()
    if (not cookie_session.modified and not cookie_session and not db.session.info.get(version.CHANGED)
            and _without_limit()):
        kept = _kept(current_app._get_current_object())
        kept.pages.put(key, page)
        kept.endpoints.add(req.endpoint)
    return response


def init_app(app) -> None:
    """Register `serve` as the first hook of every request: call before any extension registers
    its own (`keep_after_views` at the end, for the first hook after the view)."""
    app.before_request(serve)


def keep_after_views(app) -> None:
    """Register `keep` as the first hook after the view (after-request hooks run in the reverse
    order of their registration: call once every other is registered), so that it sees the
    view's own answer, before compression."""
    app.after_request(keep)
