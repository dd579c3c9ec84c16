"""Logging in and out, and changing one's password."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from registrations.auth import link_views, views  # noqa: E402,F401
