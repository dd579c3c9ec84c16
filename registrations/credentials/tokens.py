"""The signed token in every certificate's QR code: `<PUBLIC_BASE_URL>/verify/<code>#<token>`.

The token is a compact JWS whose claims state what the certificate states. Claim names are short
because every byte makes the QR code denser (see README, "Credentials"):

| claim | meaning |
|---|---|
| `iss` | the issuer: the office's `PUBLIC_BASE_URL` (its JWKS is at `/.well-known/jwks.json`) |
| `jti` | the verification code (`/verify/<code>`) |
| `sn` | serial number |
| `nm`, `nn` | holder's name in Latin script, in their own script (absent when none) |
| `ag` | agency (as registered with the office) |
| `ti` | session title (French, the certificate's first language) |
| `ci`, `co` | city, country (ISO 3166 alpha-2) |
| `sd`, `ed` | first and last day (ISO dates) |
| `da`, `dh` | days attended, days held |
| `isd` | issue date (ISO date, office time zone) |
| `st` | status index: bit `st % LIST_SIZE` of list `st // LIST_SIZE + 1` (`/credentials/status/<n>`) |

The agency's and the title's names in the holder's language are left out of the token: in Khmer
or Lao they would add some 250 characters and push the code from version 21 to version 25, too
dense to read from a print (measured, README "Credentials"); the Open Badges credential has them.
The fragment (`#…`) never reaches the server: a browser keeps it to itself.
"""

from __future__ import annotations

from flask import current_app

from registrations.credentials import jws
from registrations.credentials.status import LIST_SIZE, list_number, list_url


def certificate_claims(facts: dict, *, code: str, country: str, status_index: int) -> dict:
    """The claims of a certificate's token, from its facts snapshot."""
    claims = {
        "iss": current_app.config["PUBLIC_BASE_URL"],
        "jti": code,
        "sn": facts["serial"],
        "nm": facts["participant_name_latin"],
        "nn": facts.get("participant_name_native") or None,
        "ag": facts["agency_name"],
        "ti": facts["session_title_fr"],
        "ci": facts["city"],
        "co": country,
        "sd": facts["start_date"],
        "ed": facts["end_date"],
        "da": facts["days_attended"],
        "dh": facts["days_held"],
        "isd": facts["issue_date"],
        "st": status_index,
    }
    if claims["nn"] == claims["nm"]:
        claims["nn"] = None
    return {key: value for key, value in claims.items() if value is not None}


def sign_certificate(facts: dict, *, code: str, country: str, status_index: int) -> str:
    """The compact JWS of a certificate (signed with the current key)."""
    return jws.sign(certificate_claims(facts, code=code, country=country, status_index=status_index))


def qr_content(facts: dict) -> str:
    """What a certificate's QR code holds: the verification address, and the token when it has one."""
    token = facts.get("credential") or ""
    return f"{facts['verify_url']}#{token}" if token else facts["verify_url"]


def status_reference(status_index: int) -> tuple[str, int]:
    """(the status list's address, the bit's position in it) of a status index."""
    return list_url(list_number(status_index)), status_index % LIST_SIZE
