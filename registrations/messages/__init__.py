"""Messages: the outbox of emails, its sending job, the worker, and the pages listing what was sent."""

from flask import Blueprint

# cli_group=None: the commands sit at the top level (`flask worker`, `flask serve`).
bp = Blueprint("messages", __name__, cli_group=None)

from registrations.messages import cli, views  # noqa: E402,F401
