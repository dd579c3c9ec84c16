"""Revocation without a network: a W3C Bitstring Status List credential, signed as a VC-JWT.

Each certificate has a `status_index` (a random free position, so that neighbours in the list
tell nothing about each other). List `n` covers indexes `n × LIST_SIZE` to `(n + 1) × LIST_SIZE −
1`; its bit is 1 when the certificate is no longer valid (revoked, or superseded by a corrected
one). The list is derived from the certificates' statuses at each request (one query on an
index), so a revocation shows as soon as it is committed; the signed document is kept per
process for each content (its `validFrom` is when that content was first signed).
"""

from __future__ import annotations

import gzip
import hashlib
import secrets
import threading
from collections import OrderedDict
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from registrations.clock import utc_now
from registrations.credentials import jws
from registrations.credentials.keys import b64url
from registrations.extensions import db
from registrations.models import Certificate, CertificateStatus

#: Bits per list: 16 KB before compression, the minimum the specification recommends for privacy.
LIST_SIZE = 131_072
#: A list is filled at most to half, so that a random free index is found at once.
FILL = LIST_SIZE // 2
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"

_signed: OrderedDict[tuple, tuple[str, datetime]] = OrderedDict()
_signed_lock = threading.Lock()


def list_number(status_index: int) -> int:
    """The list (numbered from 1, as ids in URLs are) that holds a status index."""
    return status_index // LIST_SIZE + 1


def list_url(number: int) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/credentials/status/{number}"


class IndexAllocator:
    """Draws free status indexes for the certificates of one issuing transaction."""

    def __init__(self):
        issued = db.session.scalar(select(func.count()).select_from(Certificate)) or 0
        self.limit = LIST_SIZE * (1 + issued // FILL)

    def draw(self) -> int:
        """A random index not held by any certificate (checked against the database)."""
        while True:
            candidate = secrets.randbelow(self.limit)
            taken = db.session.scalar(select(Certificate.id).where(Certificate.status_index == candidate))
            if taken is None:
                return candidate


def bitstring(number: int) -> bytes:
    """The raw bits of list `number`: 1 for each certificate no longer valid (first bit = its
    first index)."""
    start = (number - 1) * LIST_SIZE
    bits = bytearray(LIST_SIZE // 8)
    for index in db.session.scalars(
        select(Certificate.status_index).where(
            Certificate.status_index >= start, Certificate.status_index < start + LIST_SIZE,
            Certificate.status != CertificateStatus.VALID)
    ):
        position = index - start
        bits[position // 8] |= 0x80 >> (position % 8)
    return bytes(bits)


def encode(bits: bytes) -> str:
    """The `encodedList` value: multibase base64url (prefix "u") of the GZIP-compressed bits."""
    return "u" + b64url(gzip.compress(bits, mtime=0))


def list_exists(number: int) -> bool:
    """Whether list `number` may hold certificates (every list up to the highest index used)."""
    highest = db.session.scalar(select(func.max(Certificate.status_index))) or 0
    return 1 <= number <= list_number(highest)


def status_list_credential(number: int) -> tuple[str, str]:
    """(the signed status list credential of list `number`, its ETag)."""
    from registrations.credentials.keys import current_key

    bits = bitstring(number)
    key = current_key()
    digest = hashlib.sha256(bits).hexdigest()[:32]
    cache_key = (current_app.config["PUBLIC_BASE_URL"], number, digest, key.kid)
    with _signed_lock:
        found = _signed.get(cache_key)
    if found is not None:
        return found[0], f'"{digest}-{key.kid}"'
    now = utc_now().replace(microsecond=0)
    url = list_url(number)
    credential = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": current_app.config["PUBLIC_BASE_URL"],
        "validFrom": now.isoformat().replace("+00:00", "Z"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode(bits),
        },
        "iss": current_app.config["PUBLIC_BASE_URL"],
        "iat": int(now.timestamp()),
    }
    token = jws.sign(credential, typ="vc+jwt", key=key)
    with _signed_lock:
        _signed[cache_key] = (token, now)
        while len(_signed) > 32:
            _signed.popitem(last=False)
    return token, f'"{digest}-{key.kid}"'
