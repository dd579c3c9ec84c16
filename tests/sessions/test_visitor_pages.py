"""Public pages of plain visitors are answered by the first hook of the request, with the answer
the view would give, and never once a write, a language, a cookie or an error changes it."""

import pytest

from registrations import visitor_pages
from registrations.sessions import version

PAGES = ("/", "/sessions", "/sessions?q=analyse", "/sessions?city=Hu%E1%BA%BF", "/sessions/{id}")


@pytest.fixture
def views_run(app, monkeypatch):
    """The endpoints whose view ran, request by request."""
    ran = []
    for endpoint in ("main.index", "sessions.catalogue", "sessions.detail", "sessions.archive"):
        view = app.view_functions[endpoint]

        def counted(*args, _view=view, _endpoint=endpoint, **kwargs):
            ran.append(_endpoint)
            return _view(*args, **kwargs)

        monkeypatch.setitem(app.view_functions, endpoint, counted)
    return ran


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("language", ["fr", "en", "vi", "km", "lo"])
def test_a_plain_visitors_second_request_gets_the_same_answer_without_the_view(app, make_session, views_run,
                                                                                language):
    session = make_session(title_fr="Analyse criminelle", city="Huế")
    visitor = app.test_client()
    visitor.set_cookie("lang", language)
    for page in PAGES:
        url = page.format(id=session.id)
        first = visitor.get(url)
        views_run.clear()
        again = visitor.get(url)
        assert views_run == [], url  # answered before the view
        assert again.status_code == first.status_code == 200
        assert _text(again) == _text(first) and f'<html lang="{language}"' in _text(again)
        # Every header as the view's answer had them: security headers, no cookie, `Vary: Cookie`.
        assert sorted(again.headers.items()) == sorted(first.headers.items()), url
        assert "Set-Cookie" not in again.headers and "Cookie" in again.headers["Vary"]
        assert again.headers["Content-Security-Policy"].startswith("default-src 'self'")
    head = visitor.head("/sessions")
    assert head.status_code == 200 and head.data == b"" and views_run == []


def test_each_language_has_its_own_kept_page_whether_chosen_by_cookie_or_by_the_browser(app, make_session):
    make_session(title_fr="Analyse criminelle", title_en="Criminal analysis")
    by_browser = {code: app.test_client() for code in ("vi", "km")}
    for _round in range(2):
        for code, visitor in by_browser.items():
            assert f'<html lang="{code}"' in _text(visitor.get("/sessions", headers={"Accept-Language": code}))
        french, english = app.test_client(), app.test_client()
        english.set_cookie("lang", "en")
        assert "Criminal analysis" in _text(english.get("/sessions"))
        assert "Analyse criminelle" in _text(french.get("/sessions"))


def test_a_write_anywhere_makes_the_kept_page_unreachable_at_once(app, db, client, make_session, views_run):
    session = make_session(title_fr="Analyse criminelle", capacity=20)
    client.get("/sessions")
    client.get(f"/sessions/{session.id}")
    session.title_fr = "Enquêtes financières"
    db.session.commit()
    views_run.clear()
    assert "Enquêtes financières" in _text(client.get("/sessions"))
    assert "Enquêtes financières" in _text(client.get(f"/sessions/{session.id}"))
    assert views_run == ["sessions.catalogue", "sessions.detail"]


def test_a_reader_with_a_cookie_session_is_never_answered_from_the_kept_pages(app, client, partner_client,
                                                                              make_session, views_run):
    make_session(title_fr="Analyse criminelle")
    client.get("/sessions")
    client.get("/sessions")
    views_run.clear()
    page = _text(partner_client.get("/sessions"))
    assert 'data-testid="whoami"' in page and views_run == ["sessions.catalogue"]
    with client.session_transaction() as visit:  # a message waiting: the visitor has a cookie session
        visit["_flashes"] = [("info", "Message pour ce visiteur")]
    assert "Message pour ce visiteur" in _text(client.get("/sessions"))
    assert views_run == ["sessions.catalogue"] * 2
    remembered = app.test_client()
    remembered.set_cookie("remember_token", "1|not-a-valid-token")
    remembered.get("/sessions")
    assert views_run == ["sessions.catalogue"] * 3


def test_an_answer_with_an_error_is_never_kept(app, client, make_session, views_run):
    make_session(title_fr="Analyse criminelle")
    for _round in range(2):
        assert client.get("/sessions?month=not-a-month").status_code == 400
        assert client.get("/sessions/999999").status_code == 404
    assert views_run == ["sessions.catalogue", "sessions.detail"] * 2


def test_another_page_reads_no_version_and_a_kept_page_reads_it_once(app, client, make_session, monkeypatch,
                                                                     count_queries):
    make_session(title_fr="Analyse criminelle")
    reads = []
    original = version._reader.read_both
    monkeypatch.setattr(version._reader, "read_both", lambda engine: reads.append(1) or original(engine))
    client.get("/sessions")
    reads.clear()
    for url in ("/login", "/verify", "/healthz"):
        assert client.get(url).status_code == 200
    assert reads == []  # none of them ever offered a page: no lookup
    with count_queries() as queries:
        assert client.get("/sessions").status_code == 200
    assert reads == [1] and queries == []  # the version, on the reader's own connection, and nothing else


def test_the_store_is_bounded_and_keeps_what_was_read_last(app, client, make_session):
    make_session(title_fr="Analyse criminelle")
    for n in range(visitor_pages.SIZE + 10):
        client.get(f"/sessions?q=mot{n}")
    kept = app.extensions["visitor_pages"]
    assert len(kept.pages) == visitor_pages.SIZE and kept.endpoints == {"sessions.catalogue"}


def test_the_first_hook_runs_before_every_other(app):
    assert app.before_request_funcs[None][0] is visitor_pages.serve
    assert app.after_request_funcs[None][-1] is visitor_pages.keep  # the first to run after the view
