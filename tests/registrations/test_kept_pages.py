"""The pages of signed-in readers that cost the most (a partner's registrations, a session's list)
are kept whole per reader, under the office version that every write bumps
(registrations/kept_pages.py): never older than the data, never another reader's."""

import re
from datetime import datetime, timedelta, timezone

import time_machine
from flask import template_rendered

from registrations.models import Registration, RegistrationState, Role
from registrations.sessions import fragments


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_a_partners_list_is_kept_and_changes_with_the_next_write(app, db, partner_client, make_session,
                                                                 make_registration, colleagues, count_queries):
    session = make_session(title_fr="Gestion d'une scène de crime")
    make_registration(session, colleagues[0], state=RegistrationState.PENDING)
    first = _text(partner_client.get("/registrations"))
    assert "Trần Văn Minh" in first and "Lê Thị Mai" not in first
    rendered = []
    with count_queries() as queries, template_rendered.connected_to(
            lambda *a, template, **k: rendered.append(template.name), app):
        again = _text(partner_client.get("/registrations"))
    # Kept: the office version is read first (on the version reader's own connection), and
    # under it both the login, found valid at the first read, and the page: nothing goes
    # through the pool, nothing is drawn.
    assert rendered == [] and queries == []
    assert again.replace(_token(again), "") == first.replace(_token(first), "")
    # Any write (here a colleague's name, which no public page shows) makes it drawn again.
    colleagues[0].name_latin = "Trần Văn Minh Tuấn"
    make_registration(session, colleagues[1], state=RegistrationState.PENDING)
    page = _text(partner_client.get("/registrations"))
    assert "Trần Văn Minh Tuấn" in page and "Lê Thị Mai" in page


def test_each_reader_gets_their_own_page_and_token(app, db, make_user, make_session, make_registration, colleagues,
                                                   partner_user,
                                                   vn_agency, partner_client, partner_kh_client):
    make_registration(make_session(), colleagues[0], state=RegistrationState.PENDING)
    colleague = app.test_client().login_as(make_user(Role.PARTNER, agency=vn_agency, display_name="Đỗ Văn Hải"))
    elsewhere = app.test_client().login_as(partner_user)  # the same account in a second browser
    mine = _text(partner_client.get("/registrations"))
    theirs = _text(colleague.get("/registrations"))
    other = _text(partner_kh_client.get("/registrations"))
    for _ in range(2):  # drawn, then kept
        assert "Đỗ Văn Hải" in _text(colleague.get("/registrations"))
        assert "Trần Văn Minh" not in _text(partner_kh_client.get("/registrations"))
    assert "Đỗ Văn Hải" not in mine and "Đỗ Văn Hải" in theirs and "Trần Văn Minh" not in other
    # The kept page carries each reader's own token: the same account in a second browser (its
    # own cookie session) gets the page drawn for the first, with a token that works there.
    page = _text(elsewhere.get("/registrations"))
    assert fragments.TOKEN_MARK not in page and _token(page) not in mine
    assert elsewhere.post("/logout", data={"csrf_token": _token(page)}, csrf=False).status_code == 302
    page = _text(partner_client.get("/registrations"))
    assert partner_client.post("/logout", data={"csrf_token": _token(page)}, csrf=False).status_code == 302
    assert partner_client.get("/registrations").status_code in (302, 401)
    assert "Đỗ Văn Hải" in _text(colleague.get("/registrations"))


def test_a_seat_offer_leaves_the_kept_list_when_it_runs_out(db, partner_client, make_session, make_registration,
                                                            colleagues):
    now = datetime.now(timezone.utc)
    session = make_session(capacity=1, confirm_promotions=True)
    make_registration(session, colleagues[0], state=RegistrationState.WAITLISTED,
                      offer_expires_at=now + timedelta(hours=1))
    with time_machine.travel(now, tick=False):
        assert "text-bg-info" in _text(partner_client.get("/registrations"))
        assert "text-bg-info" in _text(partner_client.get("/registrations"))
    with time_machine.travel(now + timedelta(hours=1, seconds=1), tick=False):
        assert "text-bg-info" not in _text(partner_client.get("/registrations"))


def test_a_waiting_message_is_shown_once_and_the_list_is_not_kept_with_it(partner_client, make_session,
                                                                          make_registration, colleagues):
    make_registration(make_session(), colleagues[0], state=RegistrationState.PENDING)
    partner_client.get("/registrations")
    with partner_client.session_transaction() as visit:
        visit["_flashes"] = [("info", "Message pour ce partenaire")]
    assert "Message pour ce partenaire" in _text(partner_client.get("/registrations"))
    assert "Message pour ce partenaire" not in _text(partner_client.get("/registrations"))


def test_an_organisers_kept_list_posts_decisions_with_their_token(db, organiser_client, make_session,
                                                                  make_registration, colleagues):
    session = make_session(capacity=5)
    pending = make_registration(session, colleagues[0], state=RegistrationState.PENDING)
    url = f"/manage/sessions/{session.id}/registrations"
    organiser_client.get(url)
    page = _text(organiser_client.get(url))  # kept
    assert fragments.TOKEN_MARK not in page
    answer = organiser_client.post(f"{url}/decide", data={"csrf_token": _token(page), "ids": [pending.id],
                                                          "action": "approve"}, csrf=False)
    assert answer.status_code in (200, 302)
    db.session.expire_all()
    assert db.session.get(Registration, pending.id).state == RegistrationState.APPROVED
    assert 'state-approved' in _text(organiser_client.get(url))


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
