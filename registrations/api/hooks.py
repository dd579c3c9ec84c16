"""What every API request goes through: the bearer token, the per-token limit, the scope,
idempotent POSTs, the audit of writes and ETags on reads.

Only `Authorization: Bearer <token>` authenticates the API; a browser's session cookie is ignored
there, so a page of another site cannot make a logged-in browser change anything through the API
(the pages' forms keep their CSRF tokens).
"""

import contextlib
import hashlib

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from registrations import audit
from registrations.api import bp, tokens
from registrations.errors import abort_with
from registrations.extensions import client_address, db, rate_limited
from registrations.models import IdempotentRequest
from registrations.transaction import run

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
INVALID_TOKEN = _l("This access token is not valid: unknown, expired or revoked.")
READ_ONLY = _l("This access token may only read.")
KEY_REUSED = _l("This Idempotency-Key was already used for another request.")
KEY_TOO_LONG = _l("An Idempotency-Key has at most 200 characters.")


def bearer() -> str | None:
    """The token sent with the request, or None (no Authorization header); "" when the header
    is not a bearer token."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, raw = header.strip().partition(" ")
    return raw.strip() if scheme.lower() == "bearer" else ""


def rate_key() -> str:
    """The limiter's key: the token (by its digest), else the client's address."""
    raw = bearer()
    if raw:
        return "api-token:" + hashlib.sha256(raw.encode()).hexdigest()[:32]
    return "api-address:" + client_address()


def rate_limit() -> str:
    return current_app.config["API_LIMIT_PER_TOKEN" if bearer() else "API_LIMIT_ANONYMOUS"]


@bp.before_request
def authenticate():
    """Act as the token's account (or as an anonymous visitor without a token)."""
    g.api_token = None
    raw = bearer()
    if raw is None:
        g._login_user = current_app.login_manager.anonymous_user()
        return None
    token = tokens.authenticate(raw) if raw else None
    if token is None:
        g._login_user = current_app.login_manager.anonymous_user()
        abort_with(401, INVALID_TOKEN)
    g._login_user = token.user
    g.api_token = token
    if request.method not in SAFE_METHODS and "write" not in token.scope_list:
        abort_with(403, READ_ONLY)
    run(tokens.note_used, token)
    return replay()


def _request_line() -> str:
    return f"{request.method} {request.full_path.rstrip('?')}"[:600]


def replay():
    """The stored first answer of a POST repeated with the same `Idempotency-Key`, if any."""
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or key is None or g.api_token is None:
        return None
    if not key or len(key) > 200:
        abort_with(400, KEY_TOO_LONG)
    stored = db.session.scalar(select(IdempotentRequest).where(
        IdempotentRequest.token_id == g.api_token.id, IdempotentRequest.key == key))
    if stored is None:
        g.idempotency_key = key
        return None
    if stored.request_line != _request_line():
        abort_with(422, KEY_REUSED)
    response = current_app.response_class(stored.body, status=stored.status, content_type=stored.content_type)
    response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.after_request
def after(response):
    """Remember the first answer of an idempotent POST, audit each write, tag each read."""
    token = g.get("api_token")
    if request.method in SAFE_METHODS:
        if response.status_code == 200 and not response.is_streamed:
            response.add_etag()
            response.make_conditional(request)
        return response
    if token is None or response.headers.get("Idempotent-Replayed"):
        return response
    key = g.pop("idempotency_key", None)
    # The request's own work committed (or rolled back) in its views' units of work. The same
    # key sent twice at once: the other request's answer stays.
    with contextlib.suppress(IntegrityError):
        run(_remember, token, key, response, attempts=1)
    return response


def _remember(token, key: str | None, response) -> None:
    """Store the first answer of an idempotent POST and audit an accepted write (flushes)."""
    if key is not None and response.status_code < 500:
        db.session.add(IdempotentRequest(token_id=token.id, key=key, request_line=_request_line(),
                                         status=response.status_code, body=response.get_data(as_text=True),
                                         content_type=response.content_type or "application/json"))
    if response.status_code < 400:
        audit.record("api_token.write", actor=token.user, object_type="api_token", object_id=token.id,
                     after={"request": _request_line(), "status": response.status_code})


def init_app(app) -> None:
    """The per-token limit on every API route (Flask-Limiter, shared storage in production)."""
    rate_limited(rate_limit, key_func=rate_key)(bp)

