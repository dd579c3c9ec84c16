"""Rendered parts of the public pages are kept between requests, and never shown stale."""

import re
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from flask import g, template_rendered
from flask_babel import refresh

from registrations import layout
from registrations.models import DayPart, SessionDay, SessionQuota, SessionStatus, TrainingSession
from registrations.sessions import fragments, version


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_a_kept_catalogue_runs_fewer_queries_and_reads_the_same(client, make_session, count_queries):
    make_session(title_fr="Analyse criminelle")
    first = client.get("/sessions")
    with count_queries() as queries:
        again = client.get("/sessions")
    assert again.status_code == 200
    assert _text(again).count('data-testid="session-card"') == _text(first).count('data-testid="session-card"') == 1
    # Nothing goes through the pool: the version alone is read, on the version reader's own
    # autocommit connection (no count, no page, no cities, no transaction).
    assert queries == []


def test_the_version_reader_reconnects_after_losing_its_connection(client, db, make_session):
    session = make_session(title_fr="Analyse criminelle")
    assert "Analyse criminelle" in _text(client.get("/sessions"))
    version._reader.close_all()  # as a database restart would cut it
    session.title_fr = "Enquêtes financières"
    db.session.commit()
    assert "Enquêtes financières" in _text(client.get("/sessions"))
    assert version._reader.read(db.engine) == version.current(db.session)


def test_a_begun_transaction_reads_the_version_in_its_own_snapshot(app, db, make_session, count_queries):
    make_session()
    with app.test_request_context("/sessions"):
        db.session.execute(sa.text("SELECT 1"))  # the transaction has begun (a signed-in reader's account)
        with count_queries() as queries:
            assert fragments.sessions_version() == version.current(db.session)
        assert any("page_version" in statement for statement in queries)


def test_a_changed_session_shows_at_once(client, db, make_session):
    session = make_session(title_fr="Analyse criminelle", capacity=20)
    assert "Analyse criminelle" in _text(client.get("/sessions"))
    assert "Analyse criminelle" in _text(client.get("/"))
    session.title_fr = "Enquêtes financières"
    db.session.commit()
    assert "Enquêtes financières" in _text(client.get("/sessions"))
    assert "Enquêtes financières" in _text(client.get("/"))
    assert "Enquêtes financières" in _text(client.get(f"/sessions/{session.id}"))


def test_seats_taken_by_a_statement_show_at_once(client, db, make_session):
    session = make_session(capacity=20)
    assert "20 places restantes sur 20" in _text(client.get("/sessions"))
    db.session.execute(sa.update(TrainingSession).where(TrainingSession.id == session.id).values(seats_taken=5))
    db.session.commit()
    assert "15 places restantes sur 20" in _text(client.get("/sessions"))
    assert "15 places restantes sur 20" in _text(client.get(f"/sessions/{session.id}"))


def test_a_deleted_session_leaves_the_catalogue(client, db, make_session):
    kept, gone = make_session(title_fr="Reste"), make_session(title_fr="Supprimée")
    assert "Supprimée" in _text(client.get("/sessions"))
    db.session.execute(sa.delete(SessionDay).where(SessionDay.session_id == gone.id))
    db.session.execute(sa.delete(TrainingSession).where(TrainingSession.id == gone.id))
    db.session.commit()
    page = _text(client.get("/sessions"))
    assert "Supprimée" not in page and "Reste" in page and kept.id


def test_each_language_and_search_has_its_own_part(client, make_session):
    make_session(title_fr="Analyse criminelle", title_en="Criminal analysis", city="Huế")
    assert "Analyse criminelle" in _text(client.get("/sessions"))
    client.set_cookie("lang", "en")
    refresh()
    assert "Criminal analysis" in _text(client.get("/sessions"))
    assert "No upcoming session matches your search." in _text(client.get("/sessions?q=danang"))
    assert "Criminal analysis" in _text(client.get("/sessions?q=hue"))
    assert client.get("/sessions?month=bad").status_code == 400
    assert client.get("/sessions?month=bad").status_code == 400


def test_a_session_page_shows_new_days_and_quotas(client, db, make_session):
    session = make_session(days=2)
    assert _text(client.get(f"/sessions/{session.id}")).count("Programme à venir.") == 2
    day = db.session.scalars(sa.select(SessionDay).where(SessionDay.session_id == session.id)).first()
    day.programme = "Accueil des participants"
    day.part = DayPart.MORNING
    db.session.add(SessionQuota(session_id=session.id, country="KH", seats=3))
    db.session.commit()
    page = _text(client.get(f"/sessions/{session.id}"))
    assert "Accueil des participants" in page and "Cambodge\u202f: 3 places" in page
    assert page.count("Programme à venir.") == 1


def test_a_session_page_differs_by_reader(client, partner_client, make_session):
    session = make_session()
    assert "Se connecter pour s" in _text(client.get(f"/sessions/{session.id}"))
    own = _text(partner_client.get(f"/sessions/{session.id}"))
    assert "Se connecter pour s" not in own and f"/sessions/{session.id}/register" in own
    assert f"/sessions/{session.id}/register" not in _text(client.get(f"/sessions/{session.id}"))


def test_next_change_is_when_registration_opens_or_closes():
    now = datetime(2026, 3, 1, 8, tzinfo=timezone.utc)
    opens = TrainingSession(start_date=date(2026, 4, 1), registration_opens_at=now + timedelta(hours=2),
                            registration_deadline=now + timedelta(days=5))
    no_deadline = TrainingSession(start_date=date(2026, 3, 2))
    closed = TrainingSession(start_date=date(2026, 2, 1), registration_deadline=now - timedelta(days=40))
    assert fragments.next_change([opens], now) == now + timedelta(hours=2)
    assert fragments.next_change([opens], now + timedelta(hours=3)) == now + timedelta(days=5, microseconds=1)
    # Without a deadline: the office's midnight starting the first day (Hanoi, UTC+7).
    assert fragments.next_change([no_deadline, closed], now) == datetime(2026, 3, 1, 17, tzinfo=timezone.utc)
    assert fragments.next_change([closed], now) is None
    # The badge flips on the change: registration is open up to the deadline itself, not after.
    deadline = opens.registration_deadline
    opens.status = SessionStatus.PUBLISHED
    assert opens.registration_is_open(deadline) and not opens.registration_is_open(
        fragments.next_change([opens], deadline))


def test_a_kept_part_expires_and_the_store_is_bounded():
    store = fragments.Fragments(size=2)
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    store.put("a", fragments.Fragment("A", expires=now + timedelta(minutes=1)))
    assert store.get("a", now).html == "A"
    assert store.get("a", now + timedelta(minutes=1)) is None
    store.put("b", fragments.Fragment("B"))
    store.put("c", fragments.Fragment("C"))
    store.get("b", now)
    store.put("d", fragments.Fragment("D"))
    assert store.get("c", now) is None and store.get("b", now).html == "B"


def test_the_badge_flips_when_the_deadline_passes(app, client, make_session, monkeypatch):
    deadline = datetime.now(timezone.utc) + timedelta(hours=1)
    session = make_session(title_fr="Bientôt close", registration_deadline=deadline)
    assert "Inscriptions ouvertes" in _text(client.get("/sessions"))
    assert "Inscriptions ouvertes" in _text(client.get(f"/sessions/{session.id}"))
    from registrations import visitor_pages
    from registrations.sessions import views

    later = deadline + timedelta(seconds=1)
    monkeypatch.setattr(views, "utcnow", lambda: later)
    monkeypatch.setattr(visitor_pages, "utcnow", lambda: later)  # the kept whole pages of plain visitors
    monkeypatch.setattr("registrations.models.sessions.utcnow", lambda: later)
    for url in ("/sessions", f"/sessions/{session.id}"):
        page = _text(client.get(url))
        assert "Inscriptions ouvertes" not in page and "Inscriptions closes" in page


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_kept_public_page_sets_no_cookie_and_its_language_form_works(app, make_session):
    """A visitor without an account gets public pages without a CSRF token, and so without a
    cookie session: the language form posts without one (main.set_language checks where it
    comes from)."""
    make_session(title_fr="Analyse criminelle")
    visitor = app.test_client()
    for url in ("/sessions", "/", "/sessions", "/"):  # the second time from the kept page
        answer = visitor.get(url)
        assert answer.status_code == 200 and "Set-Cookie" not in answer.headers
        assert fragments.TOKEN_MARK not in _text(answer) and 'name="csrf_token"' not in _text(answer)
    g.pop("csrf_token", None)  # the test's requests share its app context, and so `g`
    switched = visitor.post("/language", data={"lang": "en", "next": "/sessions"}, csrf=False,
                            headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"})
    assert switched.status_code == 302
    refresh()
    assert 'lang="en"' in _text(visitor.get("/sessions"))


def test_a_waiting_message_is_shown_once_and_not_kept(client, make_session):
    make_session(title_fr="Analyse criminelle")
    client.get("/sessions")
    with client.session_transaction() as visit:
        visit["_flashes"] = [("info", "Message pour ce visiteur")]
    assert "Message pour ce visiteur" in _text(client.get("/sessions"))
    assert "Message pour ce visiteur" not in _text(client.get("/sessions"))


def test_logged_in_readers_get_their_own_page_around_the_kept_body(client, partner_client, make_session):
    make_session(title_fr="Analyse criminelle")
    assert 'data-testid="whoami"' not in _text(client.get("/sessions"))
    page = _text(partner_client.get("/sessions"))
    assert 'data-testid="whoami"' in page and "Analyse criminelle" in page
    assert 'data-testid="whoami"' not in _text(client.get("/sessions"))


def test_a_signed_in_readers_page_is_kept_whole_under_what_it_shows_of_them(app, db, make_user, make_agency,
                                                                           make_session, count_queries):
    from registrations.models import Role

    make_session(title_fr="Analyse criminelle")
    agency = make_agency("KH")
    first = make_user(Role.PARTNER, agency=agency, display_name="Sok Dara")
    colleague = make_user(Role.PARTNER, agency=agency, display_name="Sok Dara")
    other = make_user(Role.PARTNER, agency=make_agency("LA"), display_name="Bounmy")
    one, two, three = (app.test_client().login_as(user) for user in (first, colleague, other))
    one.get("/sessions")
    g.pop("csrf_token", None)
    rendered = []
    with count_queries() as queries, template_rendered.connected_to(lambda *a, template, **k: rendered.append(
            template.name), app):
        page = _text(one.get("/sessions"))
    # Kept whole, and the login already found valid under the same office version (any write
    # that ends it bumps that version): nothing goes through the pool, nothing is rendered.
    assert queries == []
    assert rendered == []
    assert "Analyse criminelle" in page and fragments.TOKEN_MARK not in page
    # Someone who shows the same (name, role, agency) gets the same page with their own token;
    # someone else gets their own page.
    g.pop("csrf_token", None)
    same = _text(two.get("/sessions"))
    g.pop("csrf_token", None)
    theirs = _text(three.get("/sessions"))
    assert _token(same) != _token(page) and same.replace(_token(same), "") == page.replace(_token(page), "")
    assert "Bounmy" in theirs and "Sok Dara" not in theirs and "Bounmy" not in page
    # The kept page's log-out button carries the reader's own token, which works.
    g.pop("csrf_token", None)
    page = _text(two.get("/sessions"))
    logout = re.search(r'action="/logout"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"', page)
    assert logout.group(1) == _token(page)
    assert two.post("/logout", data={"csrf_token": logout.group(1)}, csrf=False).status_code == 302
    assert 'data-testid="whoami"' not in _text(two.get("/sessions"))
    # A logged-out login is not served the kept page: the login is checked at every request.
    assert 'data-testid="whoami"' in _text(one.get("/sessions"))


def test_a_card_drawn_for_one_search_is_reused_by_another_and_follows_changes(app, client, db, make_session):
    session = make_session(title_fr="Analyse criminelle", city="Huế")
    make_session(title_fr="Police scientifique", city="Vientiane")
    first = _text(client.get("/sessions?q=analyse"))
    parts = app.extensions["session_parts"]
    cards = [key for key in parts._items if key[0] == "card"]
    assert [key[1] for key in cards] == [session.id]
    again = _text(client.get("/sessions?q=crimin"))  # another search, the same card
    assert [key for key in parts._items if key[0] == "card"] == cards
    card = re.search(r'<article.*?</article>', first, re.S).group(0)
    assert card in again
    session.title_fr = "Analyse financière"
    db.session.commit()
    assert "Analyse financière" in _text(client.get("/sessions?q=analyse"))


def test_a_new_search_reads_nothing_once_its_sessions_and_cards_are_kept(client, db, make_session, count_queries):
    """The catalogue's sessions are searched in memory (sessions/listing.py), and the cards it
    shows are kept: a search never asked before runs no query of its own; a change of a session
    is seen by the next search."""
    crime = make_session(title_fr="Analyse criminelle", city="Huế")
    make_session(title_fr="Police scientifique", city="Vientiane")
    assert "Analyse criminelle" in _text(client.get("/sessions?q=analyse"))
    assert "Police scientifique" in _text(client.get("/sessions?q=police"))
    with count_queries() as queries:
        found = _text(client.get("/sessions?q=crimin+hue&kind=course"))
    assert queries == []
    assert found.count('data-testid="session-card"') == 1 and "Analyse criminelle" in found
    crime.title_fr = "Analyse financière"
    db.session.commit()
    with count_queries() as queries:
        found = _text(client.get("/sessions?q=financiere"))
    assert "Analyse financière" in found
    assert len(queries) == 2  # the new version's sessions, then the changed card's session


def test_the_kept_filters_show_what_each_request_chose(app, client, make_session):
    make_session(city="Huế", country="VN")
    make_session(city="Vientiane", country="LA")
    plain = _text(client.get("/sessions?q=a"))
    chosen = _text(client.get("/sessions?q=b&city=Vientiane"))
    assert '<option selected value="Vientiane">Vientiane</option>' in chosen
    assert "selected" not in re.search(r'<select[^>]*name="city".*?</select>', plain, re.S).group(0)
    assert re.search(r"<details[^>]*>", chosen).group(0) == '<details class="mt-2" open>'
    # Only the filters with nothing chosen are kept: each combination would keep a part of its own.
    kept = [key for key in app.extensions["session_parts"]._items if key[0] == "filters"]
    assert len(kept) == 1 and kept[0][3] is True
    assert "open" not in re.search(r"<details[^>]*>", plain).group(0)


def _selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option selected value="([^"]*)"', select)


def test_each_filter_field_is_kept_by_its_own_value_whatever_the_combination(app, client, make_session):
    make_session(city="Huế", country="VN")
    make_session(city="Vientiane", country="LA")
    combinations = [{"city": "Vientiane", "country": "LA"}, {"city": "Vientiane", "country": "VN"},
                    {"city": "Huế", "country": "LA", "theme": "drugs"}, {"country": "VN", "theme": "drugs"}]
    for _ in range(2):  # the second time, every field comes from what was kept
        for chosen in combinations:
            html = _text(client.get("/sessions", query_string=chosen))
            for name in ("city", "country", "theme", "kind"):
                assert _selected(html, name) == ([chosen[name]] if name in chosen else []), (chosen, name)
    fields = {(key[2], key[3]) for key in app.extensions["session_parts"]._items if key[0] == "filter-field"}
    # One part per field and value seen (city: 2 values, country: 2, theme: 2, …), not per combination.
    assert ("city", "Vientiane") in fields and ("country", "LA") in fields and ("theme", "drugs") in fields
    assert len([f for f in fields if f[0] == "country"]) == 2
    assert len([f for f in fields if f[0] == "city"]) == 3  # Vientiane, Huế, none


def test_a_filter_field_with_an_error_is_never_kept(app, client, make_session):
    make_session()
    for _ in range(2):
        html = _text(client.get("/sessions?month=not-a-month&country=VN"))
        assert 'id="month-error"' in html or "is-invalid" in html
    kept = app.extensions["session_parts"]._items
    assert not [key for key in kept if key[:4] == ("filter-field", "sessions.catalogue", "month", "not-a-month")]
    assert [key for key in kept if key[:4] == ("filter-field", "sessions.catalogue", "country", "VN")]


def test_a_new_search_draws_its_results_and_nothing_around_them(app, partner_client, organiser_client,
                                                                make_session):
    """The page around a list (menu, language bar, footer) is kept per reader, language and path
    (layout.frame): a search with new words renders its part alone, and its page is the one
    a full rendering gives, with this request's address in the language form and the reader's
    own token."""
    make_session(title_fr="Analyse criminelle")
    make_session(title_fr="Police scientifique")
    partner_client.get("/sessions?q=analyse")
    rendered = []
    g.pop("csrf_token", None)
    with template_rendered.connected_to(lambda *a, template, **k: rendered.append(template.name), app):
        framed = _text(partner_client.get('/sessions?q=police&x="<b>&city='))
    assert "sessions/catalogue.html" not in rendered and "base.html" not in rendered
    assert "sessions/_catalogue_body.html" in rendered
    assert "Police scientifique" in framed and "Analyse criminelle" not in framed
    assert 'name="next" value="/sessions?q=police&amp;x=&#34;&lt;b&gt;&amp;city="' in framed
    assert fragments.TOKEN_MARK not in framed and layout._PART not in framed
    logout = re.search(r'action="/logout"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"', framed)
    assert logout.group(1) == _token(framed)
    # The same page rendered in full, without the kept frame and parts.
    for store in ("layout_frames", "session_fragments", "session_parts"):
        app.extensions.pop(store)
    app.debug = True
    try:
        g.pop("csrf_token", None)
        full = _text(partner_client.get('/sessions?q=police&x="<b>&city='))
    finally:
        app.debug = False
    assert framed.replace(_token(framed), "") == full.replace(_token(full), "")
    # Another reader's page around the same results: their own menu and name.
    g.pop("csrf_token", None)
    theirs = _text(organiser_client.get("/sessions?q=police+scientifique"))
    assert 'href="/manage/sessions"' in theirs and 'href="/manage/sessions"' not in framed
    assert "Police scientifique" in theirs
