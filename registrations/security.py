"""HTTP security headers added to every response."""

from flask import request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


#: The only answers that carry nothing personal and may be kept: the application's own files.
STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})
#: Public documents that carry nothing personal and set their own caching (keys, status lists).
CACHEABLE_ENDPOINTS = frozenset({"credentials.jwks", "credentials.status_list"})


def init_app(app) -> None:
    """Register the after-request hook that sets the security headers."""

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint not in STATIC_ENDPOINTS and not (
                request.endpoint in CACHEABLE_ENDPOINTS and response.status_code in (200, 304)):
            # Pages differ by account and language, and downloads (lists, sign-in sheets,
            # certificates) carry personal data: no cache, shared or in the browser, keeps them.
            response.cache_control.no_store = True
        return response
