"""Static files carry a content hash in their address and are kept for a year; pages, CSS and
scripts travel compressed (Brotli or gzip, as the browser accepts)."""

import gzip
import hashlib
import re
from pathlib import Path

import brotli
from flask import url_for

from registrations.static_files import IMMUTABLE

STATIC = Path(__file__).resolve().parent.parent / "registrations" / "static"


def _body(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    data = b"".join(response.response) if response.is_streamed else response.data
    if encoding == "br":
        return brotli.decompress(data)
    if encoding == "gzip":
        return gzip.decompress(data)
    assert encoding is None
    return data


def test_static_urls_carry_the_content_hash_and_are_immutable(app, client):
    with app.test_request_context():
        url = url_for("static", filename="css/app.css")
    expected = hashlib.sha256((STATIC / "css" / "app.css").read_bytes()).hexdigest()[:12]
    assert url == f"/static/css/app.css?v={expected}"

    fresh = client.get(url)
    assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == IMMUTABLE
    plain = client.get("/static/css/app.css")
    assert plain.status_code == 200 and "immutable" not in plain.headers.get("Cache-Control", "")
    stale = client.get("/static/css/app.css?v=000000000000")
    assert "immutable" not in stale.headers.get("Cache-Control", "")
    for response in (fresh, plain, stale):
        response.close()


def test_every_stylesheet_and_script_of_a_page_is_fingerprinted(client):
    html = client.get("/").get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="(/(?:static|bootstrap/static)/[^"]+)"', html)
    assert any("bootstrap.min.css" in a for a in assets) and any("app.js" in a for a in assets)
    assert all(re.search(r"\?v=[0-9a-f]{12}$", a) for a in assets), assets
    for asset in assets:
        response = client.get(asset)
        assert response.headers["Cache-Control"] == IMMUTABLE, asset
        response.close()


def test_pages_and_bootstrap_are_sent_compressed(client):
    html = client.get("/", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in html.headers
    for encoding in ("br", "gzip"):
        page = client.get("/", headers={"Accept-Encoding": encoding})
        assert page.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in page.headers["Vary"]
        assert _body(page) == html.data
        assert len(page.data) < len(html.data) / 3

    css = client.get("/", headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
    bootstrap = re.search(r'href="(/bootstrap/static/css/bootstrap\.min\.css[^"]*)"', css).group(1)
    plain = client.get(bootstrap, headers={"Accept-Encoding": "identity"})
    original = _body(plain)
    for encoding in ("br", "gzip"):
        packed = client.get(bootstrap, headers={"Accept-Encoding": encoding})
        assert packed.headers["Content-Encoding"] == encoding
        body = b"".join(packed.response)
        assert len(body) < len(original) / 4  # about 230 KB down to 30-35 KB
        assert (brotli.decompress(body) if encoding == "br" else gzip.decompress(body)) == original
        packed.close()
    plain.close()
