"""Sending deliveries: claim a due delivery, sign it, POST it to a checked address, record the
answer; retry with backoff; disable an endpoint after too many failures in a row.

No transaction is held open while waiting for the receiver: the claim is committed first, the
answer recorded in a second transaction.
"""

import http.client
import socket
import ssl
import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from registrations import audit
from registrations.extensions import db
from registrations.models import WebhookDelivery, WebhookEndpoint, utcnow
from registrations.transaction import run
from registrations.webhooks import addresses, signing

#: Seconds a claimed delivery is left alone before the sweep takes it again (a worker that died).
CLAIM_SECONDS = 300
#: Wait before the n-th retry: 30 s, 2 min, 8 min, 32 min, about 2 and 8 hours.
BACKOFF_SECONDS = 30
USER_AGENT = "cooperation-training-webhooks/1"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS * 4 ** max(attempts - 1, 0))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to the address that was checked, whatever the name resolves to now."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked address, the certificate verified against the URL's host name."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, headers: dict, body: bytes, timeout: int) -> int:
    """POST `body` to `url` (checked again now); the HTTP status of the answer."""
    scheme, host, port, address = addresses.check(url)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address, timeout)
    split = url.split("://", 1)[1]
    path = "/" + split.split("/", 1)[1] if "/" in split else "/"
    try:
        connection.request("POST", path.split("#", 1)[0], body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()


def claim(message_id: str, now: datetime) -> bool:
    """Take a due delivery for this worker (no other worker or sweep sends it meanwhile)."""
    taken = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.message_id == message_id, WebhookDelivery.state == "pending",
               WebhookDelivery.next_attempt_at <= now)
        .values(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
        .execution_options(synchronize_session=False)).rowcount
    return taken == 1


def deliver(message_id: str) -> str | None:
    """Try one delivery now if it is due; returns its state afterwards (None when not taken).

    Three units of work: the claim, the preparation, and the outcome; none is open while the
    receiver answers."""
    now = utcnow()
    if not run(claim, message_id, now):
        return None
    prepared = run(_prepare, message_id)
    if isinstance(prepared, str):
        return prepared
    url, headers, body = prepared
    status, error = None, ""
    try:
        status = post(url, headers, body, current_app.config["WEBHOOK_TIMEOUT"])
    except addresses.AddressRefused as refused:
        error = str(refused.message)
    except (OSError, http.client.HTTPException) as failure:
        error = f"{type(failure).__name__}: {failure}"[:300]
    return run(record, message_id, status, error)


def _prepare(message_id: str) -> str | tuple[str, dict, bytes]:
    """The URL, signed headers and body of a claimed delivery, or its state when its endpoint
    was disabled meanwhile (then it fails)."""
    delivery = db.session.scalar(select(WebhookDelivery).where(WebhookDelivery.message_id == message_id))
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
    if not endpoint.active:
        delivery.next_attempt_at = None
        delivery.state, delivery.last_error = "failed", "endpoint disabled"
        return delivery.state
    timestamp = int(time.time())
    headers = {"content-type": "application/json", "user-agent": USER_AGENT, "webhook-id": delivery.message_id,
               "webhook-timestamp": str(timestamp),
               "webhook-signature": signing.signature(endpoint.secret, delivery.message_id, timestamp,
                                                      delivery.payload)}
    return endpoint.url, headers, delivery.payload.encode()


def record(message_id: str, status: int | None, error: str) -> str:
    """Write the outcome of an attempt, schedule the next one or give up, count the endpoint's
    failures in a row and disable it at the limit."""
    config = current_app.config
    delivery = db.session.scalar(select(WebhookDelivery).where(WebhookDelivery.message_id == message_id))
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id, with_for_update=True)
    now = utcnow()
    delivery.attempts += 1
    delivery.last_status, delivery.last_error = status, error
    if status is not None and 200 <= status < 300:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = "sent", now, None
        endpoint.consecutive_failures = 0
    else:
        endpoint.consecutive_failures += 1
        if delivery.attempts >= config["WEBHOOK_MAX_ATTEMPTS"]:
            delivery.state, delivery.next_attempt_at = "failed", None
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
        if endpoint.active and endpoint.consecutive_failures >= config["WEBHOOK_DISABLE_AFTER"]:
            endpoint.active = False
            endpoint.disabled_reason = f"{endpoint.consecutive_failures} failed attempts in a row"
            audit.record("webhook.disabled", endpoint, after={"reason": endpoint.disabled_reason})
            from registrations.webhooks.events import forget_endpoints

            forget_endpoints()
    return delivery.state


def due(now: datetime | None = None, limit: int = 200) -> list[str]:
    """Message ids of the deliveries whose attempt is due (retries, and jobs that were lost)."""
    now = now or utcnow()
    return list(db.session.scalars(select(WebhookDelivery.message_id).where(
        WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.id).limit(limit)))


def send_again(delivery_id: int) -> WebhookDelivery | None:
    """Make a delivery due again now (same `webhook-id`, so the receiver can tell a repeat)."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return None
    delivery.state, delivery.next_attempt_at = "pending", utcnow()
    db.session.info.setdefault("webhook_deliveries", []).append(delivery.message_id)
    audit.record("webhook.sent_again", delivery, after={"message_id": delivery.message_id})
    db.session.flush()
    return delivery
