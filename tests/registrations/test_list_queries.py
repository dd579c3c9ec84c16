"""The registration lists at scale: counts that agree with the rows, and plans that use indexes."""

import pytest
from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.dialects import sqlite

from registrations.enrolment import queries
from registrations.enrolment.services import expire_offers
from registrations.models import Registration, utcnow
from registrations.models import RegistrationState as S


@pytest.fixture
def spread(make_session, make_registration, make_participant, vn_agency, kh_agency):
    """Two sessions with registrations of two agencies in every state."""
    sessions = [make_session(capacity=100), make_session(capacity=100)]
    for n in range(20):
        agency = vn_agency if n % 3 else kh_agency
        make_registration(sessions[n % 2], make_participant(agency, name_latin=f"Officer {n}"), state=list(S)[n % 5])
    return sessions


def _rows(db, query) -> int:
    return len(db.session.scalars(query).all())


def test_counts_agree_with_the_listed_rows_for_every_filter(db, spread, vn_agency, kh_agency):
    for state in (None, *S):
        for agency in (vn_agency, kh_agency):
            filters = queries.Filters(state=state)
            assert db.session.scalar(queries.count_agency_registrations(agency.id, filters)) == _rows(
                db, queries.agency_registrations(agency.id, filters))
        for session in spread:
            for filters in (queries.Filters(state=state), queries.Filters(state=state, agency_id=kh_agency.id),
                            queries.Filters(state=state, country="VN")):
                assert db.session.scalar(queries.count_session_registrations(session.id, filters)) == _rows(
                    db, queries.session_registrations(session.id, filters))
    assert db.session.scalar(queries.count_agency_registrations(vn_agency.id, queries.Filters())) == 13


def test_the_partner_list_pages_follow_the_filter_and_the_agency(app, db, partner_client, spread):
    app.config["ITEMS_PER_PAGE"] = 5
    first = partner_client.get("/registrations").get_data(as_text=True)  # 13 Vietnamese of 20
    assert "Page 1 sur 3" in first
    assert partner_client.get("/registrations?page=3").get_data(as_text=True).count("data-registration=") == 3
    approved = partner_client.get("/registrations?state=approved").get_data(as_text=True)  # 3 Vietnamese
    assert approved.count("data-registration=") == 3 and "Page 1 sur" not in approved


def test_the_session_list_pages_follow_the_filters(app, organiser_client, spread, kh_agency):
    app.config["ITEMS_PER_PAGE"] = 2
    url = f"/manage/sessions/{spread[0].id}/registrations"
    assert "Page 1 sur 5" in organiser_client.get(url).get_data(as_text=True)  # 10 registrations
    kh = organiser_client.get(f"{url}?agency={kh_agency.id}").get_data(as_text=True)  # n = 0, 6, 12, 18
    assert "Page 1 sur 2" in kh and kh.count("data-registration=") == 2


def _plan(db, query) -> str:
    sql = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    return " / ".join(row[-1] for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))


def test_list_queries_use_indexes(app, db, spread, vn_agency):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("query plans are checked on SQLite, the benchmark's database")
    session_id = spread[0].id
    with current_app.test_request_context("/"):
        for filters in (queries.Filters(), queries.Filters(state=S.PENDING)):
            for query in (queries.agency_registrations(vn_agency.id, filters),
                          queries.count_agency_registrations(vn_agency.id, filters),
                          queries.session_registrations(session_id, filters),
                          queries.count_session_registrations(session_id, filters)):
                plan = _plan(db, query.limit(20))
                assert "SCAN registration" not in plan and "TEMP B-TREE" not in plan, plan
    due = select(Registration.session_id).where(Registration.state == S.WAITLISTED,
                                                Registration.offer_expires_at <= utcnow()).distinct()
    assert "ix_registration_offer_due" in _plan(db, due)
    assert expire_offers() == 0
