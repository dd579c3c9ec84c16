"""Static files: addressed by their content, kept by browsers for a year, sent compressed.

Every `url_for` of a static file (the application's and Bootstrap-Flask's) carries `v`, the first
characters of the SHA-256 of the file's bytes. A changed file therefore has a new address, so the
answer to an address with the right `v` can be cached for a year and marked immutable; the same
path without `v`, or with an old one, keeps Flask's usual revalidation. Pages, CSS and scripts are
compressed with Brotli or gzip by Flask-Compress, as the browser accepts.
"""

import hashlib
import os

from flask import Flask, request

#: One year: the longest lifetime caches honour.
IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_ENDPOINTS = ("static", "bootstrap.static")


#: path -> (modification time, content hash), for the life of the process.
_HASHES: dict[str, tuple[int, str]] = {}


def fingerprint(folder: str, filename: str) -> str | None:
    """The content hash of a static file (recomputed when its modification time changes)."""
    path = os.path.join(folder, filename)
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        return None
    known = _HASHES.get(path)
    if known is None or known[0] != stamp:
        with open(path, "rb") as handle:
            known = _HASHES[path] = (stamp, hashlib.sha256(handle.read()).hexdigest()[:12])
    return known[1]


def _folder(app: Flask, endpoint: str) -> str | None:
    if endpoint == "static":
        return app.static_folder
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
    return blueprint.static_folder if blueprint is not None else None


def init_app(app: Flask) -> None:
    """Add `v` to static URLs, long-lived caching of fingerprinted answers, and compression."""
    from registrations.extensions import compress

    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "text/css", "text/javascript", "application/javascript",
                                                 "application/json", "image/svg+xml", "text/plain"])
    compress.init_app(app)

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict) -> None:
        if endpoint in STATIC_ENDPOINTS and "filename" in values and "v" not in values:
            folder = _folder(app, endpoint)
            version = fingerprint(folder, values["filename"]) if folder else None
            if version:
                values["v"] = version

    @app.after_request
    def cache_fingerprinted(response):
        if request.endpoint in STATIC_ENDPOINTS and response.status_code == 200 and request.args.get("v"):
            folder = _folder(app, request.endpoint)
            filename = (request.view_args or {}).get("filename", "")
            if folder and request.args["v"] == fingerprint(folder, filename):
                response.headers["Cache-Control"] = IMMUTABLE
                response.expires = None
        return response
