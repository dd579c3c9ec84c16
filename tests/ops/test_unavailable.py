"""A database that does not answer gives a translated 503 page, never a 500."""

import pytest

from app import create_app
from registrations.extensions import db
from tests.ops.servers import free_port


@pytest.fixture
def app_without_database():
    app = create_app({"APP_ENV": "testing",
                      "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "connect_args": {"connect_timeout": 2}}})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(("language", "message"), [
    ("fr", "Le service est momentanément indisponible."),
    ("vi", "Dịch vụ tạm thời gián đoạn."),
    ("km", "សេវាមិនអាចប្រើបានមួយរយៈខ្លី។"),
])
def test_pages_answer_a_translated_503(app_without_database, language, message):
    client = app_without_database.test_client()
    response = client.get("/sessions", headers={"Accept-Language": language})
    assert response.status_code == 503
    assert message in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "30"


def test_healthz_and_a_logged_in_cookie_get_503_too(app_without_database):
    client = app_without_database.test_client()
    assert client.get("/healthz").status_code == 503
    with client.session_transaction() as session:
        session["_user_id"] = "1:1"
        session["_login"] = "some-token"
    response = client.get("/registrations")
    assert response.status_code == 503
    assert "indisponible" in response.get_data(as_text=True)
