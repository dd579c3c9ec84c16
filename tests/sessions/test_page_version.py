"""The versions of kept pages (the public pages', and the office's for signed-in readers) only go
up, with the change, never with a clock; with REDIS_URL the kept parts are shared by every
instance."""

import socket

import pytest
import redis
from sqlalchemy import update

from app import create_app
from registrations.models import Registration, TrainingSession
from registrations.sessions import fragments, version
from tests.registrations.test_partner_pages import FORM

REDIS_URL = "redis://127.0.0.1:6379/13"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _version(db, read=version.current) -> int:
    db.session.rollback()
    return read(db.session)


def test_the_version_goes_up_with_each_commit_of_a_shown_change(db, make_session, make_registration):
    start = _version(db)
    session = make_session()
    assert _version(db) > start
    before = _version(db)
    make_registration(session)
    assert _version(db) > before
    before = _version(db)
    db.session.execute(update(Registration).values(internal_note="seen"))
    db.session.commit()
    assert _version(db) > before


def test_a_rolled_back_change_or_a_read_leaves_the_version(db, make_session):
    session = make_session()
    before = _version(db)
    session.capacity = 99
    db.session.flush()
    db.session.rollback()
    db.session.get(TrainingSession, session.id)
    db.session.commit()
    assert _version(db) == before


def test_every_write_bumps_the_office_version_and_a_read_does_not(db, make_session, make_participant):
    start = _version(db, version.office)
    session = make_session()
    assert _version(db, version.office) > start
    before = _version(db, version.office)
    make_participant(name_latin="Someone new")  # a table no public page shows
    assert _version(db, version.office) > before
    before = _version(db, version.office)
    db.session.get(Registration, 1)
    db.session.commit()
    assert _version(db, version.office) == before
    session.capacity = 99
    db.session.flush()
    db.session.rollback()
    assert _version(db, version.office) == before


def test_a_registration_through_the_site_changes_the_kept_seats(app, db, client, partner_client, make_session):
    session = make_session(capacity=20, auto_approve=True)
    assert "20 places restantes sur 20" in _text(client.get("/sessions"))
    before = _version(db)
    response = partner_client.post(f"/sessions/{session.id}/register", data=FORM)
    assert response.status_code == 302
    assert _version(db) > before
    assert "19 places restantes sur 20" in _text(client.get("/sessions"))


def _redis_or_skip():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return client


def test_instances_share_kept_parts_through_redis(app, database_url, make_session, count_queries):
    server = _redis_or_skip()
    prefix = fragments.RedisFragments(server).prefix
    for name in server.scan_iter(match=prefix + "*"):
        server.delete(name)
    make_session(title_fr="Analyse criminelle")
    settings = {"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": REDIS_URL}
    first, second = create_app(settings), create_app(settings)
    with first.app_context():
        assert "Analyse criminelle" in _text(first.test_client().get("/sessions"))
    assert list(server.scan_iter(match=prefix + "*"))
    with second.app_context():
        from registrations.extensions import db

        statements = []

        def listener(conn, cursor, statement, *args):
            statements.append(statement)

        import sqlalchemy as sa

        sa.event.listen(db.engine, "before_cursor_execute", listener)
        page = _text(second.test_client().get("/sessions"))
        sa.event.remove(db.engine, "before_cursor_execute", listener)
        db.session.remove()
        db.engine.dispose()
    with first.app_context():
        from registrations.extensions import db

        db.engine.dispose()
    assert "Analyse criminelle" in page
    # The second instance rendered nothing: it read the version and found the page in Redis.
    assert [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))] == [
        s for s in statements if "page_version" in s]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_pages_are_served_when_redis_is_unreachable(database_url, make_session, caplog):
    make_session(title_fr="Analyse criminelle")
    down = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                       "REDIS_URL": f"redis://127.0.0.1:{_closed_port()}/0"})
    with down.app_context():
        client = down.test_client()
        for url in ("/sessions", "/", "/sessions/archive"):
            assert client.get(url).status_code == 200
        assert "Analyse criminelle" in _text(client.get("/sessions"))
        from registrations.extensions import db

        db.session.remove()
        db.engine.dispose()
    assert "page cache unavailable" in caplog.text
