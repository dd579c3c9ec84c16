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


def _add_faults(app) -> list[str]:
    """Routes raising what escapes during an outage besides OperationalError (this test only)."""
    import psycopg
    from sqlalchemy.exc import DBAPIError, InterfaceError, PendingRollbackError

    from registrations.access import ANYONE, allow

    faults = {
        "closed": lambda: InterfaceError("SELECT 1", {}, psycopg.InterfaceError("the connection is closed")),
        "cut": lambda: DBAPIError("SELECT 1", {}, psycopg.DatabaseError("lost"), connection_invalidated=True),
        "pending": lambda: PendingRollbackError("This Session's transaction has been rolled back"),
        "driver": lambda: psycopg.DatabaseError("consuming input failed"),
    }

    @app.get("/__fault/<name>")
    @allow(ANYONE)
    def fault(name):
        raise faults[name]()

    return list(faults)


def test_every_database_error_of_an_outage_answers_a_translated_503(app_without_database):
    client = app_without_database.test_client()
    for name in _add_faults(app_without_database):
        response = client.get(f"/__fault/{name}", headers={"Accept-Language": "vi"})
        assert response.status_code == 503, name
        assert "Dịch vụ tạm thời gián đoạn." in response.get_data(as_text=True)
        assert response.headers["Retry-After"] == "30"


def test_a_database_error_while_the_database_answers_is_still_a_500(app, db):
    """A bug is not hidden as an outage: with the database up, only a cut connection is a 503."""
    client = app.test_client()
    statuses = {name: client.get(f"/__fault/{name}").status_code for name in _add_faults(app)}
    assert statuses == {"closed": 503, "cut": 503, "pending": 500, "driver": 500}


def test_a_connection_cut_after_the_answer_still_lets_the_answer_out(app, db, monkeypatch):
    """The server shuts down between the view and the closing ROLLBACK: the 200 goes out."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    real_close, failures = Session.close, []

    def close(session):
        if not failures:
            failures.append(session)
            raise OperationalError("ROLLBACK", {}, Exception("terminating connection due to administrator command"))
        return real_close(session)

    monkeypatch.setattr(Session, "close", close)
    response = app.test_client().get("/sessions")
    assert response.status_code == 200 and failures
    monkeypatch.undo()
    assert app.test_client().get("/sessions").status_code == 200  # the next request has a fresh session
