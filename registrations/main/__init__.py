"""Home page, language choice and health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from registrations.main import views  # noqa: E402,F401
