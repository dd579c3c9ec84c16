"""Translated error pages, security headers and the health check."""

import pytest
from flask import abort
from sqlalchemy.exc import OperationalError

from registrations.access import ANYONE, allow


@pytest.fixture
def failing_app(app):
    """The app with extra routes that raise each error (registered only in this test)."""
    codes = [400, 403, 404, 405, 413, 429]

    @app.get("/__boom/<int:code>")
    @allow(ANYONE)
    def boom(code):
        if code == 500:
            raise RuntimeError("boom")
        abort(code)

    return app, codes


@pytest.mark.parametrize("locale,expected", [
    ("fr", "Page introuvable"), ("en", "Page not found"), ("vi", "Không tìm thấy trang"),
    ("km", "រកមិនឃើញទំព័រ"), ("lo", "ບໍ່ພົບໜ້າ"),
])
def test_404_page_is_translated(client, locale, expected):
    client.set_cookie("lang", locale)
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert expected in response.get_data(as_text=True)


def test_every_error_code_has_a_translated_page(failing_app):
    app, codes = failing_app
    client = app.test_client()
    client.set_cookie("lang", "vi")
    for code in codes + [500]:
        response = client.get(f"/__boom/{code}")
        assert response.status_code == code
        page = response.get_data(as_text=True)
        assert 'lang="vi"' in page and f"{code}" in page
        assert 'data-testid="error-message"' in page


def test_method_not_allowed_and_too_large(client, app):
    assert client.put("/login").status_code == 405
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post("/login", data={"email": "a@b.c", "password": "x" * 500})
    assert response.status_code == 413
    assert "trop volumineux" in response.get_data(as_text=True)


def test_json_clients_get_json_errors(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"] == "Page introuvable"


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_scripts_or_styles(client):
    page = client.get("/login").get_data(as_text=True)
    assert "<script>" not in page and " style=" not in page and "onclick" not in page


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "up"}


def test_healthz_reports_a_database_that_does_not_answer(client, db, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "down"
