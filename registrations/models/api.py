"""The API's records: personal access tokens, stored answers of idempotent posts, webhooks."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registrations.extensions import db
from registrations.models.base import UTCDateTime, utcnow
from registrations.models.people import User


class ApiToken(db.Model):
    """A personal access token of one account: the bearer acts as that account, within its scopes."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    #: SHA-256 of the token (the token itself is shown once and never stored).
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The first characters of the token, so that its owner recognises it in the list.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    #: "read" or "read write".
    scopes: Mapped[str] = mapped_column(sa.String(40), default="read")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Updated at most once a minute by the requests that use the token.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="raise_on_sql")

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class IdempotentRequest(db.Model):
    """The first answer to a POST sent with an `Idempotency-Key`, replayed to any repeat."""

    __tablename__ = "api_idempotent_request"
    __table_args__ = (sa.UniqueConstraint("token_id", "key", name="uq_api_idempotent_request_token_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(sa.ForeignKey("api_token.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(200))
    #: Method and path of the first request: the same key on another request is refused.
    request_line: Mapped[str] = mapped_column(sa.String(600))
    status: Mapped[int] = mapped_column()
    body: Mapped[str] = mapped_column(sa.Text)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WebhookEndpoint(db.Model):
    """An address registered by an admin to receive events, signed with its secret."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    #: "whsec_" + base64 of the signing key (kept readable: each delivery is signed with it).
    secret: Mapped[str] = mapped_column(sa.String(120))
    #: Event names, separated by spaces.
    events: Mapped[str] = mapped_column(sa.String(400))
    active: Mapped[bool] = mapped_column(default=True)
    #: Failed attempts in a row; at the configured limit the endpoint is disabled.
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    disabled_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def event_list(self) -> list[str]:
        return self.events.split()


class WebhookDelivery(db.Model):
    """One event for one endpoint: its payload, attempts and the last answer."""

    __tablename__ = "webhook_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoint.id", ondelete="CASCADE"),
                                             index=True)
    #: The `webhook-id` header: the same for every attempt of this delivery.
    message_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    event: Mapped[str] = mapped_column(sa.String(40))
    payload: Mapped[str] = mapped_column(sa.Text)
    #: pending (an attempt is due), sent, or failed (no attempt left).
    state: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: HTTP status of the last attempt (None: no answer, see `last_error`).
    last_status: Mapped[int | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    endpoint: Mapped[WebhookEndpoint] = relationship(lazy="raise_on_sql")
