"""Signed personal codes: what a participant's QR code carries.

`CT1.<session id>.<personal code>.<signature>`: the signature is an HMAC-SHA256 (its first 12
bytes, base64url) with a key of that session, derived from `SECRET_KEY` by HKDF. An organiser's
device receives its session's key with the day's data (staff only), so it checks a code without
a network: a forged code, or one of another session, is refused there as on the server. The
short code alone (typed from paper) still works; it is checked against the session's list.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PREFIX = "CT1"
MAC_BYTES = 12


@dataclass(frozen=True)
class SignedCode:
    """A signed code as read: the session it names, the personal code, whether the signature holds."""

    session_id: int
    code: str
    valid: bool


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def session_key(session_id: int) -> bytes:
    """The session's 32-byte key: HKDF-SHA256 of the application's secret key."""
    secret = current_app.secret_key
    secret = secret.encode() if isinstance(secret, str) else secret
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"attendance-checkin",
                info=f"session:{session_id}".encode()).derive(secret)


def key_text(session_id: int) -> str:
    """The session's key as the organiser's device receives it (base64url)."""
    return _b64(session_key(session_id))


def _mac(key: bytes, session_id: int, code: str) -> str:
    return _b64(hmac.new(key, f"{session_id}.{code}".encode(), hashlib.sha256).digest()[:MAC_BYTES])


def sign(session_id: int, code: str) -> str:
    """The text of a participant's QR code."""
    return f"{PREFIX}.{session_id}.{code}.{_mac(session_key(session_id), session_id, code)}"


def read(raw: str | None) -> SignedCode | None:
    """The signed code in `raw`, checked, or None when `raw` is not a signed code."""
    parts = (raw or "").strip().split(".")
    if len(parts) != 4 or parts[0].upper() != PREFIX or not parts[1].isascii() or not parts[1].isdigit():
        return None
    session_id, code = int(parts[1][:10]), parts[2].upper()
    expected = _mac(session_key(session_id), session_id, code)
    return SignedCode(session_id, code, hmac.compare_digest(expected, parts[3]))
