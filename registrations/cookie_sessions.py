"""The cookie session: Flask's own (signed, in the browser), with its signer made once.

Flask makes the signer of the session cookie (an `itsdangerous` serializer) anew at every
request, when it opens the session and again when it saves it, even for a visitor who has no
cookie. Its keys (the secret key and its fallbacks) are settings of the running application,
so the signer is made once per process and set of keys (`get_signing_serializer`, the public
way to change how Flask signs its cookie); everything else is Flask's.
"""

from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    """`SecureCookieSessionInterface`, whose signer is made once per set of keys."""

    def __init__(self):
        self._signer: tuple[tuple, object] | None = None

    def get_signing_serializer(self, app):
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._signer
        if kept is None or kept[0] != keys:
            kept = self._signer = (keys, super().get_signing_serializer(app))
        return kept[1]


def init_app(app) -> None:
    """Sign the application's cookie session with a signer made once."""
    app.session_interface = CookieSessions()
