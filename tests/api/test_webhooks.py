"""Webhooks: a real receiver gets a correctly signed event within seconds (checked with the
`standardwebhooks` package, not the application's code); addresses refused; retries, disabling
and "send again"."""

import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from registrations.models import AuditEvent, RegistrationState, WebhookDelivery, WebhookEndpoint
from registrations.webhooks import delivery as sending


class Receiver:
    """An HTTP server on a loopback port that records what it receives and answers `status`."""

    def __init__(self):
        self.received: queue.Queue = queue.Queue()
        self.status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.put(({k.lower(): v for k, v in self.headers.items()}, body.decode()))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/training"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(app):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    running = Receiver()
    yield running
    running.stop()


def _register(admin_client, url, events):
    return admin_client.post("/admin/webhooks", data={"url": url, "events": events})


def test_a_nomination_reaches_the_receiver_signed(db, admin_client, partner_client, partner_user, receiver,
                                                 make_session, make_participant):
    response = _register(admin_client, receiver.url, ["registration.created", "session.cancelled"])
    assert response.status_code == 302
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in admin_client.get(response.headers["Location"]).get_data(as_text=True)
    session = make_session()
    colleague = make_participant(agency=partner_user.agency)
    started = time.monotonic()
    nominated = partner_client.post(f"/sessions/{session.id}/nominate",
                                    data={"participant_id": colleague.id, "locale": "fr"})
    assert nominated.status_code == 302
    headers, body = receiver.received.get(timeout=5)
    assert time.monotonic() - started < 5
    payload = Webhook(endpoint.secret).verify(body, headers)  # raises when the signature is wrong
    assert payload["type"] == "registration.created"
    assert payload["data"]["participant_id"] == colleague.id and payload["data"]["state"] == "pending"
    assert headers["webhook-id"].startswith("msg_") and headers["webhook-signature"].startswith("v1,")
    with pytest.raises(Exception):  # noqa: B017 (any verification error)
        Webhook(endpoint.secret).verify(body.replace("pending", "approved"), headers)
    row = db.session.scalar(select(WebhookDelivery))
    db.session.refresh(row)
    assert (row.state, row.last_status, row.attempts) == ("sent", 204, 1)
    assert receiver.received.empty()  # registration.state_changed was not asked for


def test_only_public_http_addresses_are_accepted(app, db, admin_client):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    for url in ("http://127.0.0.1:8000/x", "http://10.1.2.3/x", "http://169.254.169.254/latest",
                "http://[::1]/x", "http://[::ffff:127.0.0.1]/x", "ftp://example.org/x", "javascript:alert(1)",
                "http://user:pw@example.org/x", "http://localhost/x"):
        response = _register(admin_client, url, ["registration.created"])
        assert response.status_code == 400, url
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_failures_retry_with_backoff_then_disable_the_endpoint(app, db, admin_client, receiver, make_session,
                                                               make_registration):
    app.config["WEBHOOK_DISABLE_AFTER"] = 3
    receiver.status = 500
    _register(admin_client, receiver.url, ["registration.state_changed"])
    session = make_session()
    registration = make_registration(session, state=RegistrationState.PENDING)
    organiser_decision = admin_client.post(f"/manage/sessions/{session.id}/registrations/decide", data={
        "ids": [registration.id], "action": "approve"})
    assert organiser_decision.status_code in (200, 302)
    receiver.received.get(timeout=5)
    row = db.session.scalar(select(WebhookDelivery))
    assert (row.state, row.attempts, row.last_status) == ("pending", 1, 500)
    assert row.next_attempt_at is not None
    for _ in range(2):  # the retries fall due
        db.session.execute(WebhookDelivery.__table__.update().values(next_attempt_at=row.created_at))
        db.session.commit()
        sending.deliver(row.message_id)
    db.session.expire_all()
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint.active is False and endpoint.consecutive_failures == 3
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "webhook.disabled")) is not None
    # Enabled again, the admin sends the delivery again: it arrives with the same webhook-id.
    receiver.status = 200
    admin_client.post(f"/admin/webhooks/{endpoint.id}/active", data={"active": "1"})
    again = admin_client.post(f"/admin/webhooks/deliveries/{row.id}/send-again")
    assert again.status_code == 302
    headers, _body = receiver.received.get(timeout=5)
    while not receiver.received.empty():
        headers, _body = receiver.received.get_nowait()
    assert headers["webhook-id"] == row.message_id
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, row.id).state == "sent"
    log = admin_client.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "HTTP 200" in log and row.message_id in log


def test_a_rolled_back_change_sends_nothing(app, db, receiver, make_session):
    from registrations.webhooks.events import emit

    db.session.add(WebhookEndpoint(url=receiver.url, secret="whsec_" + "A" * 32, events="session.published"))
    db.session.commit()
    assert emit("session.published", {"id": 1}) == 1
    db.session.rollback()
    assert db.session.scalar(select(WebhookDelivery)) is None
    time.sleep(0.2)
    assert receiver.received.empty()
