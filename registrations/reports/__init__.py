"""Activity reports: the cooperation programme's figures, as a dashboard and a spreadsheet."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from registrations.reports import views  # noqa: E402,F401
