"""PDF documents: certificates of participation, sign-in sheets and invitation letters.

Rendering needs a Flask application context with Flask-Babel initialised, because the
static wording is translated with the application's catalogs.
"""

from .certificate import CertificateFacts, render_certificate
from .invitation import InvitationLetter, render_invitation_letter
from .signin_sheet import SigninRow, SigninSheet, render_signin_sheet

__all__ = [
    "CertificateFacts",
    "InvitationLetter",
    "SigninRow",
    "SigninSheet",
    "render_certificate",
    "render_invitation_letter",
    "render_signin_sheet",
]
