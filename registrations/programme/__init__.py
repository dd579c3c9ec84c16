"""The programme of sessions: timetables, materials, and the trainers and interpreters."""

from flask import Blueprint

bp = Blueprint("programme", __name__)

from registrations.programme import trainer_views, views  # noqa: E402,F401
