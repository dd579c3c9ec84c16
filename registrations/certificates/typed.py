"""Verifying a certificate by what a person can type: its serial number plus the holder's family
name, or plus the short code printed in readable type on the certificate.

The short code is derived from the certificate's random verification code (nothing stored): 40
bits of a SHA-256 of it, written in Crockford's base 32 as two groups of four ("7KQ2-M9PX"). It
cannot be guessed from the serial, and read back it forgives what people confuse (O for 0, I and L
for 1, case, spaces and hyphens). Alone it is short, so it is only accepted with the serial.
"""

import hashlib
import re

from sqlalchemy import select

from registrations.extensions import db
from registrations.models import Certificate
from registrations.text import fold

#: Crockford's base-32 alphabet: no I, L, O or U, so nothing reads as another character.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: What a serial number looks like once tidied: "HAN-2026-0042".
SERIAL_PATTERN = re.compile(r"^[A-Z0-9]{1,12}-\d{4}-\d{1,8}$")


def short_code(code: str) -> str:
    """The short code printed on the certificate whose verification code is `code`."""
    number = int.from_bytes(hashlib.sha256(("short-code:" + code).encode()).digest()[:5], "big")
    chars = "".join(_ALPHABET[(number >> shift) & 31] for shift in range(35, -1, -5))
    return f"{chars[:4]}-{chars[4:]}"


def tidy_short_code(typed: str) -> str:
    """A typed short code in its printed form (case, spaces and look-alike letters forgiven)."""
    chars = re.sub(r"[\s\-.]", "", (typed or "").upper()).translate(_READ_AS)
    return f"{chars[:4]}-{chars[4:]}" if len(chars) == 8 else chars


def tidy_serial(typed: str) -> str:
    """A typed serial number in its stored form: upper case, spaces or dots read as hyphens."""
    return re.sub(r"[\s.–—_/]+", "-", (typed or "").strip().upper()).strip("-")


def looks_like_serial(typed: str) -> bool:
    return bool(SERIAL_PATTERN.match(tidy_serial(typed)))


def _family_names(name: str) -> set[str]:
    """The words that may be a person's family name: the first and the last of the name (Vietnamese,
    Khmer and Lao names start with it, French ones written "Jean DUPONT" end with it), and the whole
    name; folded without case and accents."""
    words = fold(name).replace("-", " ").split()
    if not words:
        return set()
    return {words[0], words[-1], " ".join(words)}


def family_name_matches(certificate: Certificate, typed: str) -> bool:
    """Whether `typed` is the holder's family name (any case, accents optional), in Latin script or
    in the holder's own script."""
    wanted = " ".join(fold(typed).replace("-", " ").split())
    if not wanted:
        return False
    facts = certificate.facts or {}
    names = _family_names(facts.get("participant_name_latin", "")) | _family_names(
        facts.get("participant_name_native", ""))
    return wanted in names


def find_by_serial(serial: str, *, family_name: str = "", code: str = "") -> Certificate | None:
    """The certificate with this serial whose holder's family name or short code matches what was
    typed; None otherwise (the caller says the same thing whatever did not match)."""
    certificate = db.session.scalar(select(Certificate).where(Certificate.serial == tidy_serial(serial)))
    if certificate is None:
        return None
    if code and tidy_short_code(code) == short_code(certificate.code):
        return certificate
    if family_name and family_name_matches(certificate, family_name):
        return certificate
    return None
