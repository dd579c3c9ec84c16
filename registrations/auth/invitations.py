"""Signed, single-use links to choose a password: invitations and password resets.

A link carries the account id, its purpose and the account's current `link_nonce`, signed
with the application's secret key (itsdangerous) and dated. It is refused when the
signature is wrong, when it is older than seven days, when the account is deactivated,
or when the nonce has changed: choosing a password and sending a newer link both replace
the nonce, so a link works once and only the latest one works.
"""

import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from registrations import mail
from registrations.audit import record
from registrations.auth.logins import end_all
from registrations.auth.services import AccountError
from registrations.extensions import db
from registrations.models import User, utcnow

#: How long a link stays valid.
LINK_VALIDITY = timedelta(days=7)

INVITATION = "invitation"
RESET = "reset"

_SALTS = {INVITATION: "account-invitation", RESET: "password-reset"}
_ENDPOINTS = {INVITATION: "auth.accept_invitation", RESET: "auth.reset_password"}
_SUBJECTS = {
    INVITATION: _l("Your account for the cooperation training programme"),
    RESET: _l("Choose a new password"),
}
_TEMPLATES = {INVITATION: "emails/invitation.txt", RESET: "emails/password_reset.txt"}
#: The outbox's kind of each link's message (registrations/messages/kinds.py).
_KINDS = {INVITATION: "invitation", RESET: "password_reset"}


class LinkError(AccountError):
    """A link that cannot be used; the message says why, in the reader's language."""


def _serializer(purpose: str, signed_at: datetime | None = None) -> URLSafeTimedSerializer:
    signer = TimestampSigner
    if signed_at is not None:
        class signer(TimestampSigner):  # noqa: N801 (a signer dated in the past or future, for tests)
            def get_timestamp(self) -> int:
                return int(signed_at.timestamp())

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALTS[purpose], signer=signer)


def make_token(user: User, purpose: str, now: datetime | None = None) -> str:
    """A fresh link token for the account, dated `now`; every older link of the account dies."""
    user.link_nonce = secrets.token_hex(16)
    return _serializer(purpose, signed_at=now).dumps({"u": user.id, "n": user.link_nonce})


def user_for_token(token: str, purpose: str, now: datetime | None = None) -> User:
    """The account a link belongs to, or LinkError (400 tampered, 410 expired or used)."""
    try:
        payload, signed_at = _serializer(purpose).loads(token, return_timestamp=True)
    except BadSignature as error:
        raise LinkError(_l("This link is not valid. Check that you copied it entirely."), status=400) from error
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise LinkError(_l("This link is not valid. Check that you copied it entirely."), status=400)
    now = now or utcnow()
    if now - signed_at.replace(tzinfo=signed_at.tzinfo or timezone.utc) > LINK_VALIDITY:
        raise LinkError(_l("This link has expired. Ask the cooperation office for a new one."), status=410)
    user = db.session.scalar(select(User).where(User.id == payload["u"]))
    if user is None or not user.active or not user.link_nonce or user.link_nonce != payload.get("n"):
        raise LinkError(_l("This link has already been used or replaced by a newer one."), status=410)
    return user


def public_url(endpoint: str, **values) -> str:
    """An absolute address on the public site (PUBLIC_BASE_URL), with or without a request."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def send_link(user: User, purpose: str, *, actor: User | None = None, now: datetime | None = None) -> str:
    """Issue a new link to the account and record the message carrying it (sent after commit).

    Returns the link (for the command line and tests). The caller commits.
    """
    if not user.active:
        raise AccountError(_l("This account is deactivated. Reactivate it first."), status=409)
    token = make_token(user, purpose, now=now)
    link = public_url(_ENDPOINTS[purpose], token=token)
    if purpose == INVITATION:
        user.invited_at = now or utcnow()
    mail.queue(mail.deferred(_KINDS[purpose], user.email, user.locale or "fr", user_id=user.id, purpose=purpose,
                             link=link), about=("user", user.id), user_id=user.id)
    record(f"user.{purpose}_sent", user, actor=actor, after={"email": user.email})
    return link


def render(context: dict, to: str, locale: str) -> mail.Mail:
    """The text of an invitation or password-reset message, written when it is sent."""
    user = mail.load(User, context["user_id"])
    purpose = context["purpose"]
    return mail.compose(to, locale, _SUBJECTS[purpose], _TEMPLATES[purpose], user=user, link=context["link"],
                        days=LINK_VALIDITY.days)


def use_link(token: str, purpose: str, password: str, now: datetime | None = None) -> User:
    """Set the password through a link; the link dies and open login sessions end."""
    user = user_for_token(token, purpose, now=now)
    user.set_password(password)
    user.link_nonce = ""
    user.session_version += 1
    end_all(user.id)
    record("user.invitation_accepted" if purpose == INVITATION else "user.password_reset", user, actor=user)
    return user
