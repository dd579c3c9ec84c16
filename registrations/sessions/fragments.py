"""Rendered parts of the public session pages, kept while they stay true.

The catalogue, the archive and the home page's next sessions are kept under the reader's
language, the page's arguments, the office's date and the *version* of what public pages show
(sessions/version.py): a counter bumped in the same transaction as every change of a session,
its days or quotas, a registration or an agency. It only goes up and no clock is involved, so a
kept part can never outlive the data it shows. A session's page is kept under the facts it shows
(its row, days, quotas and who reads it) and that version too. Every part expires at the next
moment one of its sessions opens or closes its registrations, so that the "Registration open /
closed" badges stay exact.

With no message waiting, the whole page is kept (under its path and arguments too, see
`reader_key`): for an anonymous visitor the page around the part shows nothing personal and
carries no CSRF token (the language form posts without one, see layout.language_bar); a
signed-in reader's shows what the menu shows of the account, and the reader's own token is
written into the kept page at each request. A reader with a message waiting gets the page
rendered around the kept part.

With `REDIS_URL` set, the parts are kept in Redis and shared by every instance; without it each
process keeps its own (a bounded LRU). When Redis cannot be reached, pages are rendered without
keeping anything, and served all the same.
"""

import hashlib
import json
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, get_template_attribute, has_request_context, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from registrations import layout
from registrations.clock import local_midnight
from registrations.extensions import db
from registrations.models import TrainingSession, utcnow
from registrations.sessions import version
from registrations.sessions.base import local_today

log = logging.getLogger(__name__)

#: Rendered fragments kept per process (the least recently used go first).
SIZE = 256
#: Stands for the CSRF token in a kept page; random, so that no content can contain it.
TOKEN_MARK = f"csrf-{secrets.token_hex(16)}"


@dataclass(frozen=True)
class Fragment:
    html: Markup
    status: int = 200
    expires: datetime | None = None


class Fragments:
    """A bounded store of rendered fragments, each with its expiry time."""

    def __init__(self, size: int = SIZE):
        self.size = size
        self._items: OrderedDict = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable, now: datetime) -> Fragment | None:
        part = self._items.get(key)
        if part is None:
            return None
        if part.expires is not None and now >= part.expires:
            self._items.pop(key, None)
            return None
        self._items.move_to_end(key)
        return part

    def put(self, key: Hashable, part: Fragment) -> None:
        self._items[key] = part
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


class RedisFragments:
    """The same store in Redis, shared by every instance; entries expire with their part (or
    after KEEP_SECONDS, since a newer version makes them unreachable anyway)."""

    KEEP_SECONDS = 6 * 3600

    def __init__(self, client, prefix: str = "fragments:"):
        self.client = client
        self.prefix = prefix

    def _name(self, key: Hashable) -> str:
        return self.prefix + hashlib.sha256(repr(key).encode()).hexdigest()

    def get(self, key: Hashable, now: datetime) -> Fragment | None:
        import redis

        try:
            raw = self.client.get(self._name(key))
        except redis.RedisError as error:
            log.warning("page cache unavailable, rendering without it: %s", error)
            return None
        if raw is None:
            return None
        data = json.loads(raw)
        expires = datetime.fromisoformat(data["e"]) if data["e"] else None
        if expires is not None and now >= expires:
            return None
        return Fragment(Markup(data["h"]), data["s"], expires)  # noqa: S704  # nosec B704 (kept HTML that our own template rendered)

    def put(self, key: Hashable, part: Fragment) -> None:
        import redis

        seconds = self.KEEP_SECONDS
        if part.expires is not None:
            seconds = min(seconds, (part.expires - utcnow()).total_seconds())
        if seconds <= 0:
            return
        value = json.dumps({"h": str(part.html), "s": part.status,
                            "e": part.expires.isoformat() if part.expires else None})
        try:
            self.client.set(self._name(key), value, px=max(1, int(seconds * 1000)))
        except redis.RedisError as error:
            log.warning("page cache unavailable, not keeping the page: %s", error)

    def clear(self) -> None:
        import redis

        try:
            names = list(self.client.scan_iter(match=self.prefix + "*", count=500))
            if names:
                self.client.delete(*names)
        except redis.RedisError as error:
            log.warning("page cache unavailable, nothing to clear: %s", error)


def fragments() -> Fragments | RedisFragments:
    """This application's store: shared through Redis when `REDIS_URL` is set, else one per
    process and application."""
    store = current_app.extensions.get("session_fragments")
    if store is None:
        url = current_app.config.get("REDIS_URL")
        if url:
            import redis

            client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
            store = RedisFragments(client)
        else:
            store = Fragments()
        current_app.extensions["session_fragments"] = store
    return store


_VERSION_KEY = "registrations.sessions_version"


def sessions_version() -> int:
    """The version of what public pages show (see sessions/version.py), read once per request."""
    if not has_request_context():
        return version.current(db.session)
    kept = request.environ.get(_VERSION_KEY)  # per request (an application context can outlive one)
    if kept is None:
        kept = request.environ[_VERSION_KEY] = version.committed(db.session())
    return kept


def kept_value(name: str, compute: Callable[[], object]):
    """A value computed from the sessions (such as the catalogue's list of cities), computed
    once per process for each version and office date, whatever the language."""
    key = (local_today(), sessions_version())
    values = current_app.extensions.setdefault("session_values", {})
    kept = values.get(name)
    if kept is None or kept[0] != key or db.session.info.get(version.CHANGED):
        kept = values[name] = (key, compute())
    return kept[1]


#: Parts of lists kept per process: a session's card appears in many searches and filters.
PARTS = 2000


def _parts() -> Fragments:
    store = current_app.extensions.get("session_parts")
    if store is None:
        store = current_app.extensions["session_parts"] = Fragments(PARTS)
    return store


_SUFFIX_KEY = "registrations.part_key_suffix"


def _part_key(key: tuple) -> tuple:
    """`key` with the language, the office's date and the version: looked up once per request
    (a list page looks up a part per card and per filter)."""
    if not has_request_context():
        return (*key, str(get_locale()), local_today(), sessions_version())
    suffix = request.environ.get(_SUFFIX_KEY)
    if suffix is None:
        suffix = request.environ[_SUFFIX_KEY] = (str(get_locale()), local_today(), sessions_version())
    return (*key, *suffix)


def kept_part(key: tuple, caller: Callable[[], str], sessions: Iterable[TrainingSession] = (),
              now: datetime | None = None, keep: bool = True) -> Markup:
    """A part of a list page (`{% call kept_part(key, …) %}` in a template), kept per process
    under `key`, the language, the office's date and the version, until one of `sessions` next
    opens or closes its registrations: a session's card, the catalogue's filters. A search with
    new words is then mostly made of parts already drawn. Nothing is kept by a request that has
    changed what pages show, nor for `keep=False` (a part with too many variants to be worth its
    memory)."""
    if not keep or db.session.info.get(version.CHANGED):
        return caller()
    store = _parts()
    now = now or utcnow()
    full_key = _part_key(key)
    part = store.get(full_key, now)
    if part is None:
        part = Fragment(caller(), expires=next_change(sessions, now))
        store.put(full_key, part)
    return part.html


def kept_fields(fields: Iterable, endpoint: str) -> list[Markup]:
    """The filter fields of a list's form (drawn by _forms.html's `field`), each kept under its
    own value (a few variants each, whatever the combination of the others), unless it shows an
    error."""
    draw = get_template_attribute("_forms.html", "field")
    return [kept_part(("filter-field", endpoint, f.name, str(f.data)), lambda f=f: draw(f), keep=not f.errors)
            for f in fields]


def card_key(session_id: int, heading: str) -> tuple:
    """The key of a session's card among the kept parts (sessions/_macros.html, session_card)."""
    return ("card", session_id, heading)


def kept_cards(session_ids: Iterable[int], heading: str, now: datetime) -> dict[int, Markup | None]:
    """The kept card of each session (sessions/_macros.html, session_card), or None."""
    if db.session.info.get(version.CHANGED):
        return dict.fromkeys(session_ids)
    store, suffix = _parts(), _part_key(())
    found = {}
    for session_id in session_ids:
        part = store.get((*card_key(session_id, heading), *suffix), now)
        found[session_id] = None if part is None else part.html
    return found


def next_change(sessions: Iterable[TrainingSession], now: datetime) -> datetime | None:
    """The next moment after `now` when one of these sessions' registration opens or closes
    (see TrainingSession.registration_is_open), or None."""
    moments = []
    for session in sessions:
        if session.registration_opens_at is not None:
            moments.append(session.registration_opens_at)
        if session.registration_deadline is not None:
            moments.append(session.registration_deadline + timedelta(microseconds=1))
        else:
            moments.append(local_midnight(session.start_date))
    return min((moment for moment in moments if moment > now), default=None)


def _kept(key: tuple, make: Callable[[], Fragment], now: datetime) -> Fragment:
    key = (*key, str(get_locale()), local_today())
    store = fragments()
    fragment = store.get(key, now)
    if fragment is None:
        fragment = make()
        store.put(key, fragment)
    return fragment


def cached(key: tuple, render: Callable[[], tuple[str, int, list]], now: datetime | None = None) -> Fragment:
    """The part kept under `key` (with the language and the office's date added), else
    `render()` → (html, status, sessions shown), kept until the next change of those sessions."""
    now = now or utcnow()

    def make() -> Fragment:
        html, status, sessions = render()
        # `html` comes from a template, escaped there.
        return Fragment(Markup(html), status, next_change(sessions, now))  # noqa: S704  # nosec B704 # from a template

    return _kept(key, make, now)


def whole_pages_kept() -> bool:
    """Whether this request's page may be kept whole: an anonymous visitor with no message
    waiting sees nothing personal (and no CSRF token)."""
    return not (current_user.is_authenticated or layout.session_has_messages())


def _whole(template: str, key: tuple, render: Callable[[], tuple[str, int, list]], now: datetime,
           part_name: str, context: dict) -> Fragment:
    body = cached(key, render, now)
    if context or current_app.debug:
        html = render_template(template, **{part_name: body.html}, csrf_token=lambda: TOKEN_MARK, **context)
    else:
        before, after = layout.frame(template, part_name, token=TOKEN_MARK)  # the page's shell, kept
        html = before + body.html + after
    return Fragment(Markup(html), body.status, body.expires)  # noqa: S704  # nosec B704 # rendered by a template


#: Key in the request's WSGI environment of the whole page served to an anonymous reader (which
#: registrations/visitor_pages.py may keep for plain visitors).
ANONYMOUS_PAGE = "registrations.anonymous_page_served"


def served(whole: Fragment) -> tuple[str, int]:
    """A kept page's answer, with this request's CSRF token written in for the mark (a page
    without a form that needs one, such as a public page for a visitor without an account, makes
    no token, and so no cookie)."""
    if TOKEN_MARK not in whole.html:
        if not current_user.is_authenticated:
            request.environ[ANONYMOUS_PAGE] = whole
        return whole.html, whole.status
    return whole.html.replace(TOKEN_MARK, generate_csrf()), whole.status


def reader_key() -> tuple | None:
    """Under what a page around kept parts may be kept whole for this reader, or None (a message
    is waiting to be shown): an anonymous visitor sees nothing personal, a signed-in reader
    nothing but the CSRF token and what the menu shows of the account (its role, name and
    agency, see layout.account_key)."""
    if layout.session_has_messages():
        return None
    return ("reader", *layout.account_key(current_user))


def page(template: str, key: tuple, render: Callable[[], tuple[str, int, list]], now: datetime | None = None,
         part_name: str = "body", **context) -> tuple[str, int]:
    """The response of a page showing `render()`'s part (see `cached`) as `part_name`: kept whole
    under the reader's key (see `reader_key`) unless a message is waiting, else rendered around
    the kept part. `key` and `context` must hold whatever else the page shows of its reader (a
    session's page: what the reader may do there)."""
    now = now or utcnow()
    reader = reader_key()
    if reader is None:
        body = cached(key, render, now)
        return render_template(template, **{part_name: body.html}, **context), body.status
    return served(_kept(("page", request.full_path, *reader, *key),
                         lambda: _whole(template, key, render, now, part_name, context), now))


def kept_page(page_key: tuple, parts: Callable[[], tuple[str, tuple, Callable, dict]],
              now: datetime | None = None) -> tuple[str, int]:
    """`page` for a page whose whole is known by `page_key` (with the version in it) before
    anything else is read: `parts()` → (template, key, render, context) runs only when the page
    is not kept, and may abort (nothing is kept then). Only for `whole_pages_kept()` requests."""
    now = now or utcnow()

    def make() -> Fragment:
        template, key, render, context = parts()
        return _whole(template, key, render, now, "body", context)

    return served(_kept(("page", request.full_path, *page_key), make, now))
