"""Compact JWS (RFC 7515) signed with EdDSA over Ed25519 (RFC 8037), made with `cryptography`.

Compact JWS is three base64url parts joined by dots: header, payload, signature over the first
two. The header is `{"alg":"EdDSA","kid":…}` (plus `typ` where a format asks for it). JSON is
written without spaces, keys in the order given, non-ASCII kept as UTF-8 (shorter than \\u escapes
for Khmer and Lao names, which matters inside a QR code).
"""

from __future__ import annotations

import json

from cryptography.exceptions import InvalidSignature

from registrations.credentials import keys
from registrations.credentials.keys import b64url, b64url_decode


class InvalidToken(ValueError):
    """A token that is malformed, signed by an unknown key, or whose signature does not match."""


def _json(value) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(claims: dict, typ: str | None = None, key: keys.SigningKey | None = None) -> str:
    """The compact JWS of `claims` signed with the current key (or `key`)."""
    key = key or keys.current_key()
    header = {"alg": "EdDSA", "kid": key.kid}
    if typ:
        header["typ"] = typ
    signing_input = b64url(_json(header)) + "." + b64url(_json(claims))
    return signing_input + "." + b64url(key.sign(signing_input.encode("ascii")))


def verify(token: str) -> tuple[dict, dict]:
    """(header, claims) of a token signed by one of the published keys; raises InvalidToken."""
    try:
        header_part, payload_part, signature_part = token.split(".")
        header = json.loads(b64url_decode(header_part))
        claims = json.loads(b64url_decode(payload_part))
        signature = b64url_decode(signature_part)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidToken("malformed token") from error
    if not isinstance(header, dict) or header.get("alg") != "EdDSA" or not isinstance(claims, dict):
        raise InvalidToken("unsupported header")
    _current, published = keys.load()
    key = next((k for k in published if k.kid == header.get("kid")), None)
    if key is None:
        raise InvalidToken("unknown key")
    try:
        key.private.public_key().verify(signature, f"{header_part}.{payload_part}".encode("ascii"))
    except InvalidSignature as error:
        raise InvalidToken("bad signature") from error
    return header, claims
