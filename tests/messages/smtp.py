"""A real SMTP server for the tests (aiosmtpd on a loopback port), with refusals on demand.

Ports: 8120-8129, split between the parallel test workers.
"""

import os
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def free_port(offset: int = 0) -> int:
    """A port of this test worker's share (gw0: 8120-8124, gw1: 8125-8129)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    return 8120 + (index % 2) * 5 + offset


class Recorder:
    """aiosmtpd handler: keeps what it accepts; refuses recipients by their local part.

    `refused…@` → 550 (permanent), `busy…@` → 451 (temporary). `hold` (an Event) makes the server
    wait in RCPT until it is set, and `in_rcpt` is set when a client reached that point.
    """

    def __init__(self):
        self.messages: list = []
        self.lock = threading.Lock()
        self.hold: threading.Event | None = None
        self.in_rcpt = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local.startswith("refused"):
            return "550 5.1.1 No such user here"
        if local.startswith("busy"):
            return "451 4.3.0 Mailbox busy, try again later"
        if self.hold is not None:
            self.in_rcpt.set()
            import asyncio

            while not self.hold.is_set():
                await asyncio.sleep(0.02)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def received(self) -> list:
        with self.lock:
            return list(self.messages)


class SMTPServer:
    """Start and stop aiosmtpd on a fixed port (so it can be down, then come back)."""

    def __init__(self, port: int, data_size_limit: int = 1_000_000):
        self.port = port
        self.handler = Recorder()
        self.data_size_limit = data_size_limit
        self.controller: Controller | None = None

    def start(self) -> "SMTPServer":
        self.controller = Controller(self.handler, hostname=HOST, port=self.port,
                                     data_size_limit=self.data_size_limit)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
