"""The offline verifier: `/verify/scan`, an installable page that checks certificates' tokens in
the browser, with the JWKS and the status lists it fetched while online.

The page's script (`static/js/scan.js`) verifies the EdDSA signature with WebCrypto against the
cached JWKS, reads the revocation bit in the cached status list, and shows the facts in the
reader's language (the strings below, embedded in the page as data: no inline script). The
service worker (`/verify/scan-sw.js`, scope `/verify/scan`) answers from its cache when the
network is gone.
"""

from babel import Locale
from flask import Response, current_app, jsonify, render_template, send_from_directory, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from registrations.access import ANYONE, allow
from registrations.credentials import bp
from registrations.credentials.status import LIST_SIZE
from registrations.documents import DEFAULT_ISSUER

SCOPE = "/verify/scan"


def _strings() -> dict:
    """The page script's words, in the reader's language."""
    return {
        "valid": _("Valid certificate: the signature of the office is correct."),
        "refused": _("Refused: this is not a certificate signed by the office, or it was altered."),
        "unknown_key": _("Refused: signed with a key the office has not published (refresh the keys online)."),
        "other_issuer": _("Refused: this certificate was not issued by this office."),
        "malformed": _("Nothing to verify: scan the QR code of a certificate or paste its address."),
        "revoked": _("No longer valid: revoked or replaced by a corrected certificate, as of %(time)s."),
        "not_revoked": _("Not revoked as of %(time)s."),
        "status_unknown": _("Revocation not checked: the list has never been fetched on this device."),
        "lists_fetched": _("Revocation lists fetched %(time)s."),
        "lists_never": _("The revocation lists have not been fetched yet."),
        "offline_ready": _("Ready: this page also works without a network."),
        "offline_not_ready": _("Not ready for offline use yet: stay online a moment."),
        "refresh_failed": _("The lists could not be fetched (no network?). The copies kept are used."),
        "no_camera": _("No camera available: paste or type the address instead."),
        "scanning": _("Point the camera at the QR code."),
        "holder": _("Holder"),
        "agency": _("Agency"),
        "session": _("Session"),
        "place": _("Place"),
        "dates": _("Dates"),
        "attendance": _("Attendance"),
        "attended": _("%(attended)s of %(held)s days"),
        "serial": _("Number"),
        "issued": _("Issued on"),
        "issuer": _("Issuer"),
        "code": _("Verification code"),
    }


def _calendar() -> dict:
    """Month and country names in the reader's language, from Babel (a phone's browser may lack
    them for Khmer or Lao), for dates written as "5 December 2026"."""
    locale = get_locale() or Locale.parse("fr")
    months = locale.months["format"]["wide"]
    return {"months": [months[number] for number in range(1, 13)],
            "countries": {code: name for code, name in locale.territories.items()
                          if len(code) == 2 and code.isalpha()}}


@bp.get(SCOPE)
@allow(ANYONE)
def scan():
    """The offline verifier page."""
    config = {
        "calendar": _calendar(),
        "issuer": current_app.config["PUBLIC_BASE_URL"],
        "issuerName": DEFAULT_ISSUER,
        "jwks": url_for("credentials.jwks"),
        "statusBase": url_for("credentials.status_list", number=1)[:-1],
        "listSize": LIST_SIZE,
        "worker": url_for("credentials.scan_worker"),
        "scope": SCOPE,
        "jsqr": url_for("static", filename="vendor/jsQR.js"),
    }
    response = Response(render_template("credentials/scan.html", config=config, strings=_strings()))
    # The camera is allowed on this page only (every other page refuses it).
    response.headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
    return response


@bp.get("/verify/scan-sw.js")
@allow(ANYONE)
def scan_worker():
    """The service worker of the offline verifier (served under /verify/ so that its scope may be
    /verify/scan)."""
    response = send_from_directory(current_app.static_folder, "js/scan-sw.js", mimetype="text/javascript",
                                   max_age=0)
    response.headers["Service-Worker-Allowed"] = SCOPE
    return response


@bp.get("/verify/scan.webmanifest")
@allow(ANYONE)
def scan_manifest():
    """The web app manifest that makes the verifier installable."""
    response = jsonify({
        "name": _("Certificate verifier"),
        "short_name": _("Verifier"),
        "start_url": SCOPE,
        "scope": SCOPE,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d3b6e",
        "icons": [
            {"src": url_for("static", filename="img/verify-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": url_for("static", filename="img/verify-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    })
    response.mimetype = "application/manifest+json"
    return response
