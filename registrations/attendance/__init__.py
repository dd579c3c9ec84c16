"""Attendance: marks per session day, check-in by personal code, sign-in sheets and exports."""

from flask import Blueprint

bp = Blueprint("attendance", __name__, url_prefix="/manage/sessions")

from registrations.attendance import kiosk, offline, views  # noqa: E402,F401
