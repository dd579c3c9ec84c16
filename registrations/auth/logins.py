"""Server-side logins: the cookie session carries a random token, the database a row under
the token's digest. Logging out, changing the password, deactivating the account or an
administrator's "end all logins" delete rows, which ends those logins on every instance and
for every copy of the cookie."""

import hashlib
import secrets
import threading
from collections import OrderedDict
from datetime import timedelta

from flask import request, session
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from registrations.audit import record
from registrations.extensions import client_address, db
from registrations.models import Login, User, utcnow

#: Key of the login token in the cookie session.
SESSION_KEY = "_login"
#: The last-seen time of a login is written at most this often (and only by form posts).
SEEN_EVERY = timedelta(minutes=1)


def digest(token: str) -> str:
    """The id under which a login token is stored (the token itself never is)."""
    return hashlib.sha256(token.encode()).hexdigest()


def open_login(user: User, *, user_agent: str = "", address: str = "") -> str:
    """Add a login row for `user` (the caller commits); returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(Login(id=digest(token), user_id=user.id, created_at=now, last_seen_at=now,
                         user_agent=(user_agent or "")[:300], address=(address or "")[:64]))
    return token


def start(user: User) -> None:
    """Open a login for `user` in this request's cookie session (the caller commits)."""
    session[SESSION_KEY] = open_login(user, user_agent=request.user_agent.string, address=client_address())


def current_login_id() -> str | None:
    """The id of this request's login, or None."""
    token = session.get(SESSION_KEY)
    return digest(token) if isinstance(token, str) and token else None


def end_current() -> None:
    """Delete this request's login row (the caller commits) and forget its token."""
    login_id = current_login_id()
    if login_id is not None:
        db.session.execute(delete(Login).where(Login.id == login_id))
    session.pop(SESSION_KEY, None)


def end_all(user_id: int, *, keep: str | None = None) -> int:
    """Delete every login of an account, except `keep` (a login id); returns how many ended."""
    statement = delete(Login).where(Login.user_id == user_id)
    if keep is not None:
        statement = statement.where(Login.id != keep)
    return db.session.execute(statement).rowcount or 0


def end_one(user_id: int, login_id: str) -> bool:
    """End one of the account's own logins; False when it has no such login."""
    return bool(db.session.execute(
        delete(Login).where(Login.user_id == user_id, Login.id == login_id)).rowcount)


def end_all_by_admin(user: User, *, actor: User) -> int:
    """An administrator ends every open login of an account (recorded in the audit log)."""
    count = end_all(user.id)
    record("user.logins_ended", user, actor=actor, after={"logins": count})
    return count


def logins_of(user_id: int) -> list[Login]:
    """The account's open logins, the most recently used first."""
    return list(db.session.scalars(
        select(Login).where(Login.user_id == user_id).order_by(Login.last_seen_at.desc(), Login.created_at.desc())))


#: Run at every signed-in request: built once (its compiled form is cached by SQLAlchemy).
_LOAD = (select(User, Login).join(Login, Login.user_id == User.id)
         .where(User.id == bindparam("user_id"), Login.id == bindparam("login_id")))


def load(user_id: int, login_id: str) -> tuple[User, Login] | None:
    """The account and its login for a cookie session, in one query; None when the login has
    ended (or never belonged to that account)."""
    row = db.session.execute(_LOAD, {"user_id": user_id, "login_id": login_id}).first()
    return (row[0], row[1]) if row is not None else None


def note_seen(login: Login) -> bool:
    """Write the login's last-seen time if it is older than SEEN_EVERY (the caller commits);
    True when a write was made."""
    now = utcnow()
    if login.last_seen_at is not None and now - login.last_seen_at < SEEN_EVERY:
        return False
    db.session.execute(update(Login).where(Login.id == login.id).values(last_seen_at=now))
    return True


class _Verified:
    """Accounts whose login was found valid under an office version, kept per process (at most
    `size`, the least recently used leaving first).

    Logging out, a password change, deactivating an account or its agency and an
    administrator's "end all logins" are all writes, and every write bumps the office version
    (registrations/sessions/version.py). So a login found valid under version N is still valid,
    with the same account, while the version is N: a read-only request that finds it so needs
    no query for it. What is kept is a copy of the account (with its agency) that no request's
    session holds; a request gets its own copy, attached to its session without a query."""

    def __init__(self, size: int = 512):
        self._size = size
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple[int, str], tuple[int, User]] = OrderedDict()

    def remember(self, user: User, login_id: str, office_version: int) -> None:
        with Session() as detached:  # no database: merge copies what is loaded, and nothing else
            copy = detached.merge(user, load=False)
            detached.expunge_all()
        with self._lock:
            self._kept[(user.id, login_id)] = (office_version, copy)
            self._kept.move_to_end((user.id, login_id))
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)

    def recall(self, user_id: int, login_id: str, office_version: int) -> User | None:
        with self._lock:
            kept = self._kept.get((user_id, login_id))
            if kept is not None:
                self._kept.move_to_end((user_id, login_id))
        if kept is None or kept[0] != office_version:
            return None
        return db.session.merge(kept[1], load=False)


verified = _Verified()
