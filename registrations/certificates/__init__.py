"""Certificates of attendance and invitation letters: issue, revoke, download, verify."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)

from registrations.certificates import downloads, views  # noqa: E402,F401  (registers the routes)
