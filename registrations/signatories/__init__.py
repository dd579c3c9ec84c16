"""Signatories of certificates and invitation letters, managed by admins, chosen per session."""

from flask import Blueprint

bp = Blueprint("signatories", __name__)

from registrations.signatories import views  # noqa: E402,F401
