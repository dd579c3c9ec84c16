"""Personal access tokens: created on the account's page, shown once, stored as a SHA-256 digest.

Services only flush; the edge (a view, the API's request hooks) commits.
"""

import hashlib
import secrets
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from registrations import audit
from registrations.clock import local_midnight
from registrations.extensions import db
from registrations.models import ApiToken, User, utcnow

#: What a token may do: read, or read and write.
SCOPES = ("read", "write")
#: Longest life of a token.
MAX_LIFETIME_DAYS = 365
#: Every token starts with this, so that secret scanners and people recognise it.
TOKEN_PREFIX = "ctk_"  # noqa: S105 (a visible prefix, not a secret)
#: The token's use is written down at most this often (a read never writes more than that).
USE_RESOLUTION = timedelta(minutes=1)


class TokenError(Exception):
    """A token request was refused; `message` is translated."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


def digest(raw: str) -> str:
    """The stored form of a token (tokens are 256 random bits: a plain hash is enough)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def create(user: User, name: str, scopes: list[str], expires_on: date, *, today: date) -> tuple[ApiToken, str]:
    """A new token of `user`, valid until the end of `expires_on` (office time); returns it and
    the secret, which is never stored and shown once."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise TokenError(_l("Give the token a name (at most 100 characters)."))
    if not scopes or any(scope not in SCOPES for scope in scopes):
        raise TokenError(_l("Choose what the token may do."))
    if "write" in scopes and "read" not in scopes:
        scopes = ["read", *scopes]
    if not today < expires_on <= today + timedelta(days=MAX_LIFETIME_DAYS):
        raise TokenError(_l("The expiry date must be after today and at most one year away."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = local_midnight(expires_on + timedelta(days=1))
    token = ApiToken(user_id=user.id, name=name, digest=digest(raw), prefix=raw[:12],
                     scopes=" ".join(s for s in SCOPES if s in scopes), expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.created", token, actor=user, after={"name": name, "scopes": token.scopes,
                                                               "expires_at": expires_at.isoformat()})
    return token, raw


def authenticate(raw: str, now: datetime | None = None) -> ApiToken | None:
    """The usable token with this secret (with its account), or None: unknown, revoked, expired,
    or its account inactive or its partner agency deactivated."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).options(joinedload(ApiToken.user))
                              .where(ApiToken.digest == digest(raw)))
    now = now or utcnow()
    if token is None or not token.usable(now):
        return None
    user = token.user
    if not user.active or (user.role.value == "partner" and (user.agency is None or not user.agency.active)):
        return None
    return token


def note_used(token: ApiToken, now: datetime | None = None) -> bool:
    """Write the token's last use, at most once a minute; True when something changed."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < USE_RESOLUTION:
        return False
    token.last_used_at = now
    return True


def tokens_of(user_id: int) -> list[ApiToken]:
    """An account's tokens, newest first (revoked ones included, marked)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                   .order_by(ApiToken.id.desc())))


def revoke(token_id: int, *, actor: User, now: datetime | None = None) -> ApiToken:
    """Revoke a token: its owner's, or any token for an admin (404 for anyone else's)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and actor.role.value != "admin"):
        raise TokenError(_l("This token does not exist."), 404)
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        audit.record("api_token.revoked", token, actor=actor, before={"user_id": token.user_id,
                                                                      "name": token.name})
    db.session.flush()
    return token
