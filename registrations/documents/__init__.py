"""PDF documents: certificates of participation, sign-in sheets and invitation letters.

Rendering needs a Flask application context with Flask-Babel initialised, because the
static wording is translated with the application's catalogs.

The PDF libraries (fpdf2, pikepdf, fontTools, HarfBuzz: about 80 MB once loaded) are imported
on first use of a name below, not when the package is: a web worker that only serves pages and
stored PDFs never loads them (`tests/test_lazy_imports.py`); the job worker that draws documents
does.
"""

import importlib

#: The office as it signs documents when no signatory says otherwise.
DEFAULT_ISSUER = "Ambassade de France au Vietnam — Service de sécurité intérieure"

_WHERE = {
    "CertificateFacts": "certificate",
    "render_certificate": "certificate",
    "render_certificates": "certificate",
    "InvitationLetter": "invitation",
    "render_invitation_letter": "invitation",
    "SigninRow": "signin_sheet",
    "SigninSheet": "signin_sheet",
    "render_signin_sheet": "signin_sheet",
}

__all__ = ["DEFAULT_ISSUER", *_WHERE]


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value
