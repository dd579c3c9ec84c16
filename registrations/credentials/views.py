"""Public documents of the credentials: the JWKS and the revocation status lists.

Both carry nothing personal and change rarely, so they may be cached (by browsers, proxies and
the offline verifier); every other answer of the application is `no-store`.
"""

from flask import Response, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from registrations.access import ANYONE, STAFF, allow, scoped_to_agency
from registrations.credentials import bp, keys
from registrations.credentials.status import list_exists, status_list_credential
from registrations.errors import abort_with
from registrations.extensions import db
from registrations.models import Certificate, CertificateStatus, Registration, Role

#: Seconds a JWKS or a status list may be kept before it is asked again.
JWKS_MAX_AGE = 3600
STATUS_MAX_AGE = 300


def _cacheable(response: Response, max_age: int) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.headers["Access-Control-Allow-Origin"] = "*"  # any verifier may read them
    return response


@bp.get("/.well-known/jwks.json")
@allow(ANYONE)
def jwks():
    """The office's public signing keys (old keys stay after a rotation)."""
    try:
        published = keys.jwks()
    except keys.KeysUnavailable:
        _no_keys()
    return _cacheable(jsonify(published), JWKS_MAX_AGE)


def _no_keys():
    abort_with(503, _("Certificates cannot be signed: the office's signing key is not set up."))


@bp.get("/credentials/status/<int:number>")
@allow(ANYONE)
def status_list(number: int):
    """Revocation status list `number`: a Bitstring Status List credential signed as a VC-JWT."""
    if not list_exists(number):
        abort_with(404, _("Not found."))
    try:
        token, etag = status_list_credential(number)
    except keys.KeysUnavailable:
        _no_keys()
    if request.if_none_match.contains(etag.strip('"')):
        return _cacheable(Response(status=304, headers={"ETag": etag}), STATUS_MAX_AGE)
    response = Response(token, mimetype="application/vc+jwt")
    response.headers["ETag"] = etag
    return _cacheable(response, STATUS_MAX_AGE)


@bp.get("/certificates/<int:certificate_id>/open-badge.jwt")
@allow(STAFF, Role.PARTNER)
def open_badge(certificate_id: int):
    """A valid certificate's Open Badges 3.0 credential (VC-JWT), for a wallet; a partner gets only
    their agency's."""
    certificate = db.session.scalar(scoped_to_agency(
        select(Certificate).join(Registration, Registration.id == Certificate.registration_id)
        .where(Certificate.id == certificate_id), Registration.agency_id))
    if certificate is None:
        abort_with(404, _("This certificate does not exist or is not available to you."))
    if certificate.status != CertificateStatus.VALID:
        abort_with(410, _("This certificate is no longer valid and cannot be downloaded."))
    badge = (certificate.facts or {}).get("open_badge")
    if not badge:
        abort_with(404, _("This certificate was issued before Open Badges: re-issue it to get one."))
    response = Response(badge, mimetype="application/vc+jwt")
    response.headers["Content-Disposition"] = f'attachment; filename="{certificate.serial}-open-badge.jwt"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
