"""Rendered parts of the public session pages, kept by each process while they stay true.

The catalogue, the archive and the home page's next sessions show columns of
`training_session` only. Their rendered part is kept under the reader's language, the page's
arguments, the office's date and the *version* of the sessions table: its latest `updated_at`
(every change through the ORM or an UPDATE statement sets it) and its number of rows (a
deletion). A session's page is kept under the facts it shows (its row, days, quotas and who
reads it). Every part expires at the next moment one of its sessions opens or closes its
registrations, so that the "Registration open / closed" badges stay exact.

For an anonymous visitor with no message waiting, the whole page is kept (under its path and
arguments too): the page around the part shows nothing personal then, except the CSRF token of
the language form, which is written into the kept page at each request. Anyone else gets the
page rendered around the kept part (menu, account, messages).
"""

import secrets
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from flask import current_app, render_template, request
from flask import session as visit
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from registrations.extensions import db
from registrations.models import TrainingSession, utcnow
from registrations.sessions.base import local_today

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


def fragments() -> Fragments:
    """This application's store (one per process and application)."""
    return current_app.extensions.setdefault("session_fragments", Fragments())


#: The version of the sessions: one statement on two indexes (written out: it runs at every
#: request of the public pages, and building it with the ORM cost more than running it).
VERSION_SQL = ("SELECT (SELECT max(updated_at) FROM training_session), "
               "(SELECT count(*) FROM training_session)")


def sessions_version() -> tuple:
    """(latest updated_at, number of sessions)."""
    return tuple(db.session.connection().exec_driver_sql(VERSION_SQL).one())


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
            moments.append(datetime.combine(session.start_date, time.min, tzinfo=timezone.utc))
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


def page(template: str, key: tuple, render: Callable[[], tuple[str, int, list]], now: datetime | None = None,
         part_name: str = "body", **context) -> tuple[str, int]:
    """The response of a page showing `render()`'s part (see `cached`) as `part_name`: the whole
    page kept for an anonymous visitor with no message waiting, else rendered around the kept part."""
    now = now or utcnow()
    if current_user.is_authenticated or visit.get("_flashes"):
        body = cached(key, render, now)
        return render_template(template, **{part_name: body.html}, **context), body.status

    def make() -> Fragment:
        body = cached(key, render, now)
        html = render_template(template, **{part_name: body.html}, csrf_token=lambda: TOKEN_MARK, **context)
        return Fragment(Markup(html), body.status, body.expires)  # noqa: S704  # nosec B704 # rendered by a template

    whole = _kept(("page", request.full_path, *key), make, now)
    return whole.html.replace(TOKEN_MARK, generate_csrf()), whole.status
