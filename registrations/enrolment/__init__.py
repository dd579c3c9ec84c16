"""Registrations and nominations: seats, quotas, the waiting list and decisions."""

from flask import Blueprint

bp = Blueprint("registrations", __name__, cli_group=None)


@bp.record_once
def _connect_signals(state) -> None:
    """React to the sessions domain: freed seats promote the waiting list; a cancelled
    session stops promotions."""
    from registrations.enrolment import receivers
    from registrations.signals import seats_freed, session_cancelled

    seats_freed.connect(receivers.on_seats_freed)
    session_cancelled.connect(receivers.on_session_cancelled)


from registrations.enrolment import batch_views, cli, manage, question_views, views  # noqa: E402,F401
