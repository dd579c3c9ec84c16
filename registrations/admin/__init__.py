"""Administration: agencies, accounts, the audit log and personal data (admins only)."""

from flask import Blueprint

# cli_group=None: the blueprint's commands sit at the top level (`flask anonymise`).
bp = Blueprint("admin", __name__, url_prefix="/admin", cli_group=None)

from registrations.admin import audit_views, cli, views  # noqa: E402,F401
