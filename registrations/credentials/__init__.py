"""Verifiable credentials: signing keys and their JWKS, signed certificate tokens, the revocation
status list, Open Badges, and the offline verifier page."""

from flask import Blueprint

bp = Blueprint("credentials", __name__)

from registrations.credentials import scan, views  # noqa: E402,F401  (registers the routes)
