"""HTTP security headers added to every response, and where a form post comes from."""

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


#: Set on every answer that does not set them itself (names lower-cased for the check).
_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def init_app(app) -> None:
    """Register the after-request hook that sets the security headers."""
    wanted = [(name, name.lower(), value) for name, value in
              (*_HEADERS, *((_HSTS,) if app.config["SESSION_COOKIE_SECURE"] else ()))]

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        # One pass over the answer's headers: asking Werkzeug's Headers for each missing name
        # costs an exception per name, at every request.
        present = {name.lower() for name, _value in headers.items()}
        for name, lowered, value in wanted:
            if lowered not in present:
                headers.add(name, value)
        if request.endpoint not in STATIC_ENDPOINTS and not (
                request.endpoint in CACHEABLE_ENDPOINTS and response.status_code in (200, 304)):
            # Pages differ by account and language, and downloads (lists, sign-in sheets,
            # certificates) carry personal data: no cache, shared or in the browser, keeps them.
            if "cache-control" in present:
                response.cache_control.no_store = True
            else:
                headers.add("Cache-Control", "no-store")
        return response


def sent_from_this_site() -> bool:
    """Whether a browser sent this request from one of this site's own pages, by what browsers
    say of every request (Fetch Metadata's `Sec-Fetch-Site`, else the `Origin` header). A form
    posted from another site is refused on this alone where a post carries no CSRF token (the
    language form of a visitor without an account, see main.set_language). A request with
    neither header does not come from a browser page: browsers send at least `Origin` with every
    form post, so no page of another site can post without it."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")
