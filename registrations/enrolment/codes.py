"""Personal check-in codes: short, unambiguous, unique within a session, and their QR code."""

import secrets

from registrations.models import Registration

#: No 0/O, 1/I/L: a code read aloud or typed from paper is not misread.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def assign_code(registration: Registration) -> str:
    """Give the registration a code that no other registration of its session has.

    A code is one of 31⁶ (about 887 million), drawn at random: that it is already used by one
    of the few hundred registrations of a session is a chance of about one in three million.
    The codes in use are therefore not read (this runs under the session's lock, at every
    approval): the unique constraint (session, code) refuses a clash when the row is written,
    and the unit of work runs again (`transaction.run`), drawing another code.
    """
    if not registration.personal_code:
        registration.personal_code = new_code()
    return registration.personal_code


def qr_data_uri(code: str) -> str:
    """An SVG QR code of the personal code, as a data URI for an <img> (the CSP allows data:)."""
    import segno  # loaded when a QR is drawn, not for every page

    return segno.make_qr(code, error="m").svg_data_uri(scale=6, border=2)
