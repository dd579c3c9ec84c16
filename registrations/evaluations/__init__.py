"""Evaluations: each session's end-of-session questionnaire, its answers and results."""

from flask import Blueprint

bp = Blueprint("evaluations", __name__)

from registrations.evaluations import views  # noqa: E402,F401
