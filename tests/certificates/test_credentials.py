"""Signed credentials: keys and JWKS, the token in each certificate's QR code, the status list.

Tokens and status lists are verified with PyJWT, an independent JOSE library, against the
JWKS the application serves.
"""

import gzip
import json
import stat
import sys
from pathlib import Path

import jwt
import pytest
from sqlalchemy import select

from registrations.certificates.services import issue, reissue, revoke
from registrations.credentials import keys
from registrations.credentials.keys import b64url_decode
from registrations.credentials.status import LIST_SIZE
from registrations.models import Certificate
from registrations.transaction import run

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "documents"))
from pdfcheck import decode_qr, render_png  # noqa: E402


def _verify(token: str, jwks: dict) -> dict:
    """PyJWT's verification of a compact JWS against a JWKS (EdDSA only)."""
    header = jwt.get_unverified_header(token)
    key = jwt.PyJWKSet.from_dict(jwks)[header["kid"]]
    return jwt.decode(token, key=key, algorithms=["EdDSA"], options={"verify_aud": False})


def _flip(token: str, position: int) -> str:
    """The token with one byte of its signed payload changed (still valid base64url)."""
    header, payload, signature = token.split(".")
    raw = bytearray(b64url_decode(payload))
    raw[position] ^= 0x01
    return ".".join([header, keys.b64url(bytes(raw)), signature])


def test_jwks_publishes_public_keys_only_and_may_be_cached(client):
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    body = response.get_json()
    assert [set(k) for k in body["keys"]] == [{"kty", "crv", "x", "kid", "use", "alg"}]
    assert body["keys"][0]["crv"] == "Ed25519" and body["keys"][0]["alg"] == "EdDSA"
    private = keys.read_document()["keys"][0]["d"]
    assert private not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"].replace(" ", "") in ("public,max-age=3600", "max-age=3600,public")


def test_certificate_token_states_the_certificate_and_verifies_with_pyjwt(app, client, issued):
    token = issued.facts["credential"]
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "EdDSA", "kid": keys.current_key().kid}
    claims = _verify(token, client.get("/.well-known/jwks.json").get_json())
    assert claims["iss"] == "http://localhost" and claims["jti"] == issued.code
    assert claims["sn"] == issued.serial
    assert claims["nm"] == "Srey Pich" and claims["nn"] == "ស្រី ពេជ្រ"
    assert claims["ti"] == "Gestion d'une scène de crime" and claims["ci"] == "Phnom Penh" and claims["co"] == "KH"
    assert (claims["da"], claims["dh"]) == (3, 4)
    assert claims["sd"] == issued.facts["start_date"] and claims["isd"] == issued.facts["issue_date"]
    assert claims["st"] == issued.status_index


@pytest.mark.parametrize("position", [0, 10, 40, -2])
def test_one_flipped_byte_is_refused(client, issued, position):
    jwks = client.get("/.well-known/jwks.json").get_json()
    token = issued.facts["credential"]
    flipped = _flip(token, position)
    with pytest.raises(jwt.exceptions.InvalidTokenError):
        _verify(flipped, jwks)
    header, payload, signature = token.split(".")
    raw = bytearray(b64url_decode(signature))
    raw[5] ^= 0x80
    with pytest.raises(jwt.exceptions.InvalidSignatureError):
        _verify(".".join([header, payload, keys.b64url(bytes(raw))]), jwks)


def test_qr_code_of_the_stored_pdf_carries_the_token_and_reads_at_110_dpi(db, issued, tmp_path):
    pdf = db.session.scalar(select(Certificate.pdf).where(Certificate.id == issued.id))
    image = render_png(pdf, tmp_path / "certificate.png", dpi=110)
    expected = f"http://localhost/verify/{issued.code}#{issued.facts['credential']}"
    assert expected in decode_qr(image)


def test_rotation_keeps_old_keys_published_and_old_tokens_verify(app, client, runner, issued, ended_session,
                                                                 attendee):
    old_kid = keys.current_key().kid
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    new_kid = keys.current_key().kid
    assert new_kid != old_kid and new_kid in result.output
    jwks = client.get("/.well-known/jwks.json").get_json()
    assert [k["kid"] for k in jwks["keys"]] == [new_kid, old_kid]
    assert _verify(issued.facts["credential"], jwks)["jti"] == issued.code
    later = run(issue, attendee(ended_session(days=2)).id)[0]
    assert jwt.get_unverified_header(later.facts["credential"])["kid"] == new_kid
    assert _verify(later.facts["credential"], jwks)["jti"] == later.code
    listing = runner.invoke(args=["keys", "list"]).output
    assert f"{new_kid}" in listing and "current" in listing and old_kid in listing and "published" in listing


def test_key_file_is_private_and_commands_never_print_private_parts(app, runner, tmp_path):
    app.config["SIGNING_KEYS_PATH"] = str(tmp_path / "instance" / "signing_keys.json")
    assert "No signing key yet." in runner.invoke(args=["keys", "list"]).output
    created = runner.invoke(args=["keys", "generate"])
    assert created.exit_code == 0, created.output
    path = Path(app.config["SIGNING_KEYS_PATH"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = json.loads(path.read_text())
    assert document["keys"][0]["d"] not in created.output
    again = runner.invoke(args=["keys", "generate"])
    assert again.exit_code != 0 and "rotate" in again.output
    rotated = runner.invoke(args=["keys", "rotate"])
    assert rotated.exit_code == 0 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(json.loads(path.read_text())["keys"]) == 2


def test_production_without_keys_refuses_to_issue_with_a_clear_message(app, ended_session, attendee, tmp_path):
    from registrations.certificates.services import CertificateError

    app.config.update(SIGNING_KEYS_PATH=str(tmp_path / "none.json"), SIGNING_KEYS_AUTO_CREATE=False)
    registration = attendee(ended_session(days=2))
    with pytest.raises(CertificateError) as refused:
        run(issue, registration.id)
    assert refused.value.status == 503
    from registrations.extensions import db

    db.session.rollback()
    assert db.session.scalar(select(Certificate.id)) is None
    assert app.test_client().get("/.well-known/jwks.json").status_code == 503


def test_keys_from_the_environment_variable(app, client):
    entry = keys.new_key_entry()
    app.config["SIGNING_KEYS"] = json.dumps({"current": entry["kid"], "keys": [entry]})
    assert [k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]] == [entry["kid"]]


def _status_bits(client, certificate) -> tuple[bool, dict]:
    number, position = divmod(certificate.status_index, LIST_SIZE)
    number += 1
    response = client.get(f"/credentials/status/{number}")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    jwks = client.get("/.well-known/jwks.json").get_json()
    credential = _verify(response.get_data(as_text=True), jwks)
    subject = credential["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert subject["encodedList"].startswith("u")
    bits = gzip.decompress(b64url_decode(subject["encodedList"][1:]))
    assert len(bits) * 8 == LIST_SIZE
    return bool(bits[position // 8] & (0x80 >> (position % 8))), credential


def test_revoking_flips_the_bit_of_the_signed_status_list(app, client, db, issued, organiser_user):
    revoked, credential = _status_bits(client, issued)
    assert not revoked
    assert "BitstringStatusListCredential" in credential["type"]
    assert credential["id"] == f"http://localhost/credentials/status/{issued.status_index // LIST_SIZE + 1}"
    run(revoke, issued.id, "Issued in error", actor=organiser_user)
    revoked, _credential = _status_bits(client, issued)
    assert revoked


def test_a_superseded_certificate_is_no_longer_valid_in_the_list(client, issued):
    new = run(reissue, issued.id, reason="Name corrected")
    assert _status_bits(client, issued)[0]
    assert not _status_bits(client, new)[0]
    assert new.status_index != issued.status_index


def test_status_list_answers_etag_and_304(client, issued):
    number = issued.status_index // LIST_SIZE + 1
    first = client.get(f"/credentials/status/{number}")
    assert "public" in first.headers["Cache-Control"]
    again = client.get(f"/credentials/status/{number}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(f"/credentials/status/{number + 1}").status_code == 404
    assert client.get("/credentials/status/99999").status_code == 404
    assert client.get("/credentials/status/0").status_code == 404


def test_demo_certificates_carry_tokens(app, db, client):
    from registrations.demo import seed_demo

    seed_demo()
    db.session.remove()
    jwks = client.get("/.well-known/jwks.json").get_json()
    certificates = db.session.scalars(select(Certificate)).all()
    assert certificates
    for certificate in certificates:
        assert _verify(certificate.facts["credential"], jwks)["jti"] == certificate.code
    revoked = [c for c in certificates if c.status.value == "revoked"]
    assert revoked and all(_status_bits(client, c)[0] for c in revoked)


def test_open_badge_is_a_signed_open_badge_credential(client, issued, organiser_client):
    response = organiser_client.get(f"/certificates/{issued.id}/open-badge.jwt")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    assert "attachment" in response.headers["Content-Disposition"]
    token = response.get_data(as_text=True)
    assert jwt.get_unverified_header(token)["typ"] == "JWT"
    badge = _verify(token, client.get("/.well-known/jwks.json").get_json())
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in badge["@context"]
    subject = badge["credentialSubject"]
    assert [i["identityHash"] for i in subject["identifier"]] == ["Srey Pich", "ស្រី ពេជ្រ"]
    assert subject["achievement"]["name"] == "Gestion d'une scène de crime"
    assert subject["achievement"]["type"] == ["Achievement"]
    status = badge["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert int(status["statusListIndex"]) == issued.status_index % LIST_SIZE
    assert client.get(status["statusListCredential"].removeprefix("http://localhost")).status_code == 200
    assert badge["iss"] == "http://localhost" and badge["jti"] == f"http://localhost/verify/{issued.code}"


def test_open_badge_travels_in_the_pdf(db, issued):
    import io

    from pypdf import PdfReader

    pdf = db.session.scalar(select(Certificate.pdf).where(Certificate.id == issued.id))
    attachments = PdfReader(io.BytesIO(pdf)).attachments
    assert list(attachments) == ["open-badge.jwt"]
    assert attachments["open-badge.jwt"][0].decode() == issued.facts["open_badge"]


def test_open_badge_is_for_the_holders_agency_and_the_office(app, db, issued, make_user, make_agency, client,
                                                            organiser_user):
    from registrations.models import Registration, Role

    agency_id = db.session.get(Registration, issued.registration_id).agency_id
    from registrations.models import Agency

    own = client.login_as(make_user(Role.PARTNER, agency=db.session.get(Agency, agency_id)))
    assert own.get(f"/certificates/{issued.id}/open-badge.jwt").status_code == 200
    other = app.test_client().login_as(make_user(Role.PARTNER, agency=make_agency("KH")))
    assert other.get(f"/certificates/{issued.id}/open-badge.jwt").status_code == 404
    assert app.test_client().get(f"/certificates/{issued.id}/open-badge.jwt").status_code in (302, 401)
    run(revoke, issued.id, "Error", actor=organiser_user)
    assert own.get(f"/certificates/{issued.id}/open-badge.jwt").status_code == 410
