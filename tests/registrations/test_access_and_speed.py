"""Who may see and change what, and pages that cost the same whatever the number of rows."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import select

from registrations.models import Registration
from registrations.models import RegistrationState as S
from tests.registrations.conftest import counts
from tests.registrations.test_partner_pages import FORM


@pytest.fixture
def vietnamese_registration(make_session, make_registration, colleagues):
    session = make_session(capacity=2, confirm_promotions=True)
    return make_registration(session, colleagues[0], state=S.APPROVED, personal_code="VN2345",
                             internal_note="Note interne")


def test_a_cambodian_partner_gets_404_for_a_vietnamese_registration_by_any_url(
        db, partner_kh_client, vietnamese_registration):
    rid = vietnamese_registration.id
    before = counts(db)
    assert partner_kh_client.get(f"/registrations/{rid}").status_code == 404
    for action in ("cancel", "accept-offer", "decline-offer"):
        response = partner_kh_client.post(f"/registrations/{rid}/{action}", data={"reason": "x"})
        assert response.status_code == 404, action
        assert "VN2345" not in response.get_data(as_text=True)
    listing = partner_kh_client.get("/registrations").get_data(as_text=True)
    assert "Trần Văn Minh" not in listing
    assert counts(db) == before
    assert db.session.get(Registration, rid).state == S.APPROVED


def test_office_pages_are_closed_to_partners_and_anonymous_visitors(client, partner_kh_client,
                                                                     vietnamese_registration):
    sid, rid = vietnamese_registration.session_id, vietnamese_registration.id
    office_urls = [f"/manage/sessions/{sid}/registrations", f"/manage/sessions/{sid}/registrations.csv",
                   f"/manage/sessions/{sid}/registrations.xlsx"]
    for url in office_urls:
        response = partner_kh_client.get(url)
        assert response.status_code == 403 and "Trần Văn Minh" not in response.get_data(as_text=True)
        assert client.get(url).status_code == 302
    assert partner_kh_client.post(f"/manage/sessions/{sid}/registrations/decide",
                                  data={"ids": [rid], "action": "cancel"}).status_code == 403
    assert partner_kh_client.post(f"/manage/registrations/{rid}/note", data={"internal_note": "x"}).status_code == 403
    for url in (f"/registrations/{rid}", "/registrations", f"/sessions/{sid}/register"):
        assert client.get(url).status_code == 302


def test_staff_cannot_use_the_partner_forms(organiser_client, vietnamese_registration):
    sid = vietnamese_registration.session_id
    assert organiser_client.get(f"/sessions/{sid}/register").status_code == 403
    assert organiser_client.get(f"/sessions/{sid}/nominate").status_code == 403
    assert organiser_client.get(f"/registrations/{vietnamese_registration.id}").status_code == 200


def test_the_same_agency_sees_its_registration_and_its_code(partner_client, vietnamese_registration):
    page = partner_client.get(f"/registrations/{vietnamese_registration.id}").get_data(as_text=True)
    assert "VN2345" in page and "Note interne" not in page


def _fill(make_registration, make_participant, session, agency, number):
    for n in range(number):
        make_registration(session, make_participant(agency, name_latin=f"Officer {n}"),
                          state=[S.APPROVED, S.PENDING, S.WAITLISTED, S.CANCELLED][n % 4])


def _queries(count_queries, client, url):
    client.get(url)  # warm up (login, caches)
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("url_of", [
    lambda s: "/registrations",
    lambda s: "/registrations?state=approved&page=2",
])
def test_partner_list_runs_a_fixed_number_of_queries(app, db, partner_client, make_session, make_registration,
                                                     make_participant, vn_agency, count_queries, url_of):
    # Pages of 100: the first page is only partly filled with 5 and with 60 registrations.
    app.config["ITEMS_PER_PAGE"] = 100
    small, large = make_session(capacity=100), make_session(capacity=100)
    _fill(make_registration, make_participant, small, vn_agency, 5)
    few = _queries(count_queries, partner_client, url_of(small))
    _fill(make_registration, make_participant, large, vn_agency, 55)
    many = _queries(count_queries, partner_client, url_of(large))
    assert few == many <= 8


def test_organiser_list_runs_a_fixed_number_of_queries(app, db, organiser_client, make_session, make_registration,
                                                       make_participant, make_agency, count_queries):
    app.config["ITEMS_PER_PAGE"] = 100  # 5 and 60 rows: both pages only partly filled
    small, large = make_session(capacity=100), make_session(capacity=100)
    agencies = [make_agency(country) for country in ("VN", "KH", "LA")]
    for n in range(5):
        _fill(make_registration, make_participant, small, agencies[n % 3], 1)
    for n in range(60):
        _fill(make_registration, make_participant, large, agencies[n % 3], 1)
    few = _queries(count_queries, organiser_client, f"/manage/sessions/{small.id}/registrations")
    many = _queries(count_queries, organiser_client, f"/manage/sessions/{large.id}/registrations")
    assert few == many <= 8
    page = organiser_client.get(f"/manage/sessions/{large.id}/registrations").get_data(as_text=True)
    assert page.count("data-registration=") == 60
    assert db.session.scalar(select(Registration.id).where(Registration.session_id == large.id))


def test_waiting_list_page_runs_a_fixed_number_of_queries(app, db, organiser_client, make_session, make_registration,
                                                          make_participant, make_agency, count_queries):
    small, large = make_session(capacity=100), make_session(capacity=100)
    agencies = [make_agency(country) for country in ("VN", "KH", "LA")]
    for session, number in ((small, 3), (large, 40)):
        for n in range(number):
            make_registration(session, make_participant(agencies[n % 3], name_latin=f"Officer {n}"),
                              state=S.WAITLISTED, waitlist_rank=n + 1)
    few = _queries(count_queries, organiser_client, f"/manage/sessions/{small.id}/waiting-list")
    many = _queries(count_queries, organiser_client, f"/manage/sessions/{large.id}/waiting-list")
    assert few == many <= 8
    page = organiser_client.get(f"/manage/sessions/{large.id}/waiting-list").get_data(as_text=True)
    assert page.count('data-testid="position"') == 40


def _post_noting_statements(db, client, url: str, data: dict):
    """Post, noting every statement run (spaces collapsed) and each commit as "(commit)"."""
    log = []

    def statement(conn, cursor, text, parameters, context, executemany):
        log.append(" ".join(text.split()))

    def commit(conn):
        log.append("(commit)")

    sa.event.listen(db.engine, "before_cursor_execute", statement)
    sa.event.listen(db.engine, "commit", commit)
    try:
        response = client.post(url, data=data)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", statement)
        sa.event.remove(db.engine, "commit", commit)
    return response, log


def test_a_registration_post_does_not_read_the_account_again_under_the_lock(db, partner_client, make_session):
    """The signed-in account is read when the request starts. Taking the session's lock (on
    SQLite a new transaction, which expires what was read) must not read it again for its id:
    the work under the lock is what two workers wait for."""
    session = make_session(auto_approve=True)
    partner_client.get(f"/sessions/{session.id}/register")
    response, log = _post_noting_statements(db, partner_client, f"/sessions/{session.id}/register", FORM)
    assert response.status_code == 302
    locked = next(i for i, text in enumerate(log)
                  if text.startswith("BEGIN IMMEDIATE") or ("FROM training_session" in text and "FOR UPDATE" in text))
    committed = log.index("(commit)", locked)
    assert any("FROM user_account" in text for text in log[:locked])
    assert "INSERT INTO registration" in " ".join(log[locked:committed])
    # (After the commit the tests' job queue, which runs jobs at once, writes the email.)
    assert [text for text in log[locked:committed] if "FROM user_account" in text] == []
    registration = db.session.scalar(select(Registration))
    assert registration.created_by_id is not None and registration.state == S.APPROVED


@pytest.mark.parametrize("auto_approve, full, state", [
    (True, False, S.APPROVED), (False, False, S.PENDING), (True, True, S.WAITLISTED)])
def test_a_new_registration_is_written_once_in_its_state(db, partner_client, make_session, make_registration,
                                                          colleagues, auto_approve, full, state):
    """Its state, seat, check-in code or place on the waiting list are settled before the row is
    inserted: the post writes it with one INSERT and no UPDATE."""
    session = make_session(auto_approve=auto_approve, capacity=1)
    if full:
        make_registration(session, colleagues[0], state=S.APPROVED)
    partner_client.get(f"/sessions/{session.id}/register")
    response, log = _post_noting_statements(db, partner_client, f"/sessions/{session.id}/register", FORM)
    writes = [" ".join(text.split()[:3]) for text in log
              if text.split()[0].upper() in ("INSERT", "UPDATE") and "registration" in text.split()[:3]]
    assert response.status_code == 302
    assert writes == ["INSERT INTO registration"]
    registration = db.session.scalars(select(Registration).order_by(Registration.id.desc())).first()
    assert registration.state == state
    assert (registration.personal_code is not None) == (state == S.APPROVED)
    assert registration.waitlist_rank == (1 if state == S.WAITLISTED else None)
    db.session.refresh(session)
    assert session.seats_taken == (0 if state == S.PENDING else 1)


def test_a_registration_post_reads_nothing_after_its_commit(app, db, partner_client, partner_user, make_session):
    """The answer (the message, the address of the new registration) is taken before the commit,
    and the reader's language while the account is loaded: after the commit, which expires every
    loaded object, nothing is read again."""
    partner_user.locale = "km"
    db.session.commit()
    session = make_session(auto_approve=True)
    partner_client.get(f"/sessions/{session.id}/register")
    response, statements = _post_noting_statements(db, partner_client, f"/sessions/{session.id}/register", FORM)
    log = [text if text == "(commit)" else text.split(None, 1)[0].upper() for text in statements]
    assert response.status_code == 302
    registration = db.session.scalar(select(Registration))
    assert registration.state == S.APPROVED
    assert response.headers["Location"] == f"/registrations/{registration.id}"
    assert "INSERT" in log and "(commit)" in log
    after = log[len(log) - log[::-1].index("(commit)"):]
    assert [word for word in after if word not in ("BEGIN", "ROLLBACK")] == []
    with app.test_request_context(), force_locale("km"):
        told = gettext("Registration approved. Personal check-in code: %(code)s.", code=registration.personal_code)
    assert told != f"Registration approved. Personal check-in code: {registration.personal_code}."
    assert escape(told) in partner_client.get(response.headers["Location"]).get_data(as_text=True)
