"""Page reads on PostgreSQL run outside a transaction block until their first write, and keep
their prepared statements (registrations/page_reads.py)."""

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from registrations.models import TrainingSession, User
from registrations.sessions.queries import CatalogueFilters, apply_filters, upcoming_statement


@pytest.fixture
def postgres(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's page reads (SQLite's BEGIN and ROLLBACK are calls inside the process)")
    return db


@pytest.fixture
def runs(postgres):
    """(first word, the driver in autocommit, its transaction status after the statement) of
    each statement run on the application's engine."""
    seen: list[tuple[str, bool, str]] = []
    before: dict = {}

    def starting(conn, cursor, statement, parameters, context, executemany):
        before["autocommit"] = conn.connection.driver_connection.autocommit

    def ended(conn, cursor, statement, parameters, context, executemany):
        status = conn.connection.driver_connection.info.transaction_status.name
        seen.append((statement.split()[0].upper(), before["autocommit"], status))

    sa.event.listen(postgres.engine, "before_cursor_execute", starting)
    sa.event.listen(postgres.engine, "after_cursor_execute", ended)
    yield seen
    sa.event.remove(postgres.engine, "before_cursor_execute", starting)
    sa.event.remove(postgres.engine, "after_cursor_execute", ended)


def test_a_page_read_runs_outside_a_transaction_block_and_a_post_inside_one(postgres, runs, make_session,
                                                                            partner_client, partner_user):
    make_session(title_fr="Gestion de la scène de crime")
    partner_id = partner_user.id
    postgres.session.rollback()  # the fixtures' reads end here: the request begins its own transaction
    runs.clear()
    page = partner_client.get("/sessions?q=scene+de+crime")
    assert page.status_code == 200
    assert "Gestion de la scène de crime" in page.get_data(as_text=True)
    assert runs, "the page read nothing"
    assert all(autocommit and status == "IDLE" for _, autocommit, status in runs), runs

    runs.clear()
    assert partner_client.post("/language", data={"lang": "km"}).status_code == 302
    assert runs and all(not autocommit and status == "INTRANS" for _, autocommit, status in runs), runs
    postgres.session.rollback()
    assert postgres.session.get(User, partner_id).locale == "km"
    # The connection went back to the pool as it came: a transaction of the test's own rolls back.
    postgres.session.get(User, partner_id).locale = "lo"
    postgres.session.flush()
    postgres.session.rollback()
    assert postgres.session.get(User, partner_id).locale == "km"


def test_a_page_read_that_writes_does_so_in_a_transaction_block_from_its_first_write(app, postgres, runs,
                                                                                     make_session):
    session_id = make_session(capacity=20).id
    postgres.session.close()
    runs.clear()
    with app.test_request_context("/sessions", method="GET"):
        assert postgres.session.scalar(select(TrainingSession.capacity).where(TrainingSession.id == session_id)) == 20
        postgres.session.execute(sa.update(TrainingSession).where(TrainingSession.id == session_id)
                                 .values(capacity=99))
        assert postgres.session.scalar(select(TrainingSession.capacity).where(TrainingSession.id == session_id)) == 99
        postgres.session.rollback()
        assert postgres.session.scalar(select(TrainingSession.capacity).where(TrainingSession.id == session_id)) == 20
    assert runs[0] == ("SELECT", True, "IDLE")
    assert runs[1:3] == [("UPDATE", False, "INTRANS"), ("SELECT", False, "INTRANS")]
    # After the rollback, a new transaction: a page read again.
    assert runs[3] == ("SELECT", True, "IDLE")


def test_a_row_lock_in_a_page_read_is_held_until_its_transaction_ends(app, postgres, runs, make_session):
    session_id = make_session().id
    postgres.session.close()
    runs.clear()
    with app.test_request_context("/sessions", method="GET"):
        postgres.session.execute(select(TrainingSession.id).where(TrainingSession.id == session_id)
                                 .with_for_update())
        locked = postgres.session.scalar(sa.text(
            "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'transactionid'"))
        assert locked == 1
    assert runs[0] == ("SELECT", False, "INTRANS")


def test_the_catalogue_is_planned_for_its_own_words_and_other_reads_are_prepared(app, postgres, make_session):
    session_id = make_session(title_fr="Protection des mineurs").id
    postgres.session.close()
    with app.test_request_context("/sessions", method="GET"):
        for _ in range(7):
            listing = apply_filters(upcoming_statement(), CatalogueFilters(q="mineurs"))
            assert postgres.session.scalars(listing).all()[0].id == session_id
            assert postgres.session.scalar(select(TrainingSession.capacity)
                                           .where(TrainingSession.id == session_id)) == 20
        prepared = postgres.session.scalars(sa.text("SELECT statement FROM pg_prepared_statements")).all()
    assert any("SELECT training_session.capacity" in statement for statement in prepared), prepared
    assert not any("search_text" in statement for statement in prepared), prepared
