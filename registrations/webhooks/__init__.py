"""Webhooks: admins register endpoints; the domain's signals become signed deliveries, sent by
the job queue after the commit, retried with backoff, logged, and disabled after repeated failures.
"""

from flask import Blueprint

bp = Blueprint("webhooks", __name__)


def init_app(app) -> None:
    """Connect the domain's signals and the after-commit hook, and register the admin pages."""
    from registrations.webhooks import events, views  # noqa: F401 (register the receivers and routes)

    events.connect()
    events.forget_endpoints()
    app.register_blueprint(bp)
