"""Rendered parts of the public session pages, kept by each process while they stay true.

The catalogue, the archive and the home page's next sessions show columns of
`training_session` only. Their rendered part is kept under the reader's language, the page's
arguments, the office's date and the *version* of the sessions table: its latest `updated_at`
(every change through the ORM or an UPDATE statement sets it) and its number of rows (a
deletion). A session's page is kept under the facts it shows (its row, days, quotas and who
reads it). Every part expires at the next moment one of its sessions opens or closes its
registrations, so that the "Registration open / closed" badges stay exact.

What stays per request: the page around the part (menu, account, language form with its
CSRF token, messages).
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import func, select

from registrations.extensions import db
from registrations.models import TrainingSession, utcnow
from registrations.sessions.base import local_today

#: Rendered fragments kept per process (the least recently used go first).
SIZE = 256


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


def sessions_version() -> tuple:
    """(latest updated_at, number of sessions), read from indexes in one query."""
    latest = select(func.max(TrainingSession.updated_at)).scalar_subquery()
    number = select(func.count()).select_from(TrainingSession).scalar_subquery()
    return tuple(db.session.execute(select(latest, number)).one())


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


def cached(key: tuple, render: Callable[[], tuple[str, int, list]], now: datetime | None = None) -> Fragment:
    """The part kept under `key` (with the language and the office's date added), else
    `render()` → (html, status, sessions shown), kept until the next change of those sessions."""
    now = now or utcnow()
    key = (*key, str(get_locale()), local_today())
    store = fragments()
    part = store.get(key, now)
    if part is None:
        html, status, sessions = render()
        # `html` comes from a template, escaped there.
        part = Fragment(Markup(html), status, next_change(sessions, now))  # noqa: S704
        store.put(key, part)
    return part
