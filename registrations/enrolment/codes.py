"""Personal check-in codes: short, unambiguous, unique within a session, and their QR code."""

import secrets

from sqlalchemy import select

from registrations.extensions import db
from registrations.models import Registration

#: No 0/O, 1/I/L: a code read aloud or typed from paper is not misread.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def assign_code(registration: Registration) -> str:
    """Give the registration a code that no other registration of its session has.

    Called under the session's row lock, so the codes read here cannot change before commit;
    the unique constraint (session, code) still guards, and the service retries on a clash.
    """
    if registration.personal_code:
        return registration.personal_code
    taken = set(db.session.scalars(
        select(Registration.personal_code)
        .where(Registration.session_id == registration.session_id, Registration.personal_code.is_not(None))
    ))
    code = new_code()
    while code in taken:
        code = new_code()
    registration.personal_code = code
    return code


def qr_data_uri(code: str) -> str:
    """An SVG QR code of the personal code, as a data URI for an <img> (the CSP allows data:)."""
    import segno  # loaded when a QR is drawn, not for every page

    return segno.make_qr(code, error="m").svg_data_uri(scale=6, border=2)
