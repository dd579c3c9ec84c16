"""Training sessions: the organisers' planning and everyone's catalogue."""

from flask import Blueprint

bp = Blueprint("sessions", __name__)

from registrations.sessions import manage, views  # noqa: E402,F401
