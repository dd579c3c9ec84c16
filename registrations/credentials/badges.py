"""Open Badges 3.0: each certificate as an `OpenBadgeCredential` secured as a VC-JWT.

Signed with the office's keys when the certificate is issued, kept in its facts snapshot (an
issued certificate never changes), downloadable by the holder's agency and the office, and
attached to the certificate's PDF (`open-badge.jwt`), so that a saved PDF can be verified without
its QR code. The achievement is the session's course; the holder is named by two identity
objects (Latin script and own script); `credentialStatus` points at the revocation status list.
"""

from __future__ import annotations

from flask import current_app

from registrations.credentials import jws
from registrations.credentials.tokens import status_reference

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def _identity(name: str) -> dict:
    return {"type": "IdentityObject", "identityHash": name, "identityType": "name", "hashed": False}


def badge_credential(facts: dict, *, code: str, status_index: int, issued_at: str, issuer_name: str) -> dict:
    """The OpenBadgeCredential of a certificate (what the VC-JWT's payload holds)."""
    base = current_app.config["PUBLIC_BASE_URL"]
    verify_url = f"{base}/verify/{code}"
    list_url, position = status_reference(status_index)
    names = [facts["participant_name_latin"]]
    if facts.get("participant_name_native") and facts["participant_name_native"] != names[0]:
        names.append(facts["participant_name_native"])
    title = facts["session_title_fr"]
    local_title = facts.get("session_title_local") or ""
    place = f"{facts['city']}, {facts.get('country_name_fr', '')}"
    description = f"{facts.get('session_kind_fr', '')} · {place}".strip(" ·")
    if local_title and local_title != title:
        description += f" — {local_title}"
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": base, "type": ["Profile"], "name": issuer_name, "url": base},
        "validFrom": issued_at,
        "name": title,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [_identity(name) for name in names],
            "activityStartDate": f"{facts['start_date']}T00:00:00Z",
            "activityEndDate": f"{facts['end_date']}T00:00:00Z",
            "achievement": {
                "id": f"{base}/sessions/{facts['session_id']}",
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": title,
                "description": description,
                "criteria": {"narrative": (
                    f"Attendance of at least {facts.get('attendance_threshold', 80)} % of the session's days; "
                    f"attended {facts['days_attended']} of {facts['days_held']}.")},
                "inLanguage": "fr",
            },
        },
        "credentialStatus": {
            "id": f"{list_url}#{position}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(position),
            "statusListCredential": list_url,
        },
    }


def sign_badge(facts: dict, *, code: str, status_index: int, issued_at: str, issuer_name: str) -> str:
    """The VC-JWT of the certificate's Open Badge (JWT claims beside the credential's own)."""
    credential = badge_credential(facts, code=code, status_index=status_index, issued_at=issued_at,
                                  issuer_name=issuer_name)
    credential.update(iss=credential["issuer"]["id"], jti=credential["id"], sub=facts["serial"])
    return jws.sign(credential, typ="JWT")
