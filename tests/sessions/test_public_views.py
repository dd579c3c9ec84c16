"""The catalogue, the archive and a session's page, for each kind of reader."""

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from flask_babel import refresh

from registrations.models import SessionKind, SessionStatus, Theme
from registrations.sessions import lifecycle, services
from registrations.transaction import run


def _text(response) -> str:
    return response.get_data(as_text=True)


def _titles(response) -> list[str]:
    """Titles of the session cards on a list page, in order."""
    return [re.sub(r"\s+", " ", t).strip()
            for t in re.findall(r'data-testid="session-card".*?<a[^>]*>(.*?)</a>', _text(response), re.S)]


@pytest.fixture
def programme(make_session):
    """A small catalogue: upcoming, running, past, draft and cancelled sessions."""
    today = date.today()
    return {
        "hanoi": make_session(title_fr="Protection des mineurs en ligne", title_vi="Bảo vệ trẻ em trên mạng",
                              city="Hà Nội", theme=Theme.TRAFFICKING, start=today + timedelta(days=20),
                              interpretation="vi,km"),
        "phnom_penh": make_session(title_fr="Scène de crime", city="Phnom Penh", country="KH",
                                   eligible_countries="KH", kind=SessionKind.SEMINAR, theme=Theme.OTHER,
                                   start=today + timedelta(days=50), working_language="en"),
        "running": make_session(title_fr="Premiers secours", start=today - timedelta(days=1), days=4,
                                status=SessionStatus.CLOSED, theme=Theme.CIVIL_SECURITY),
        "past": make_session(title_fr="Fraude documentaire 2013", start=date(2013, 7, 15), days=5,
                             status=SessionStatus.COMPLETED, theme=Theme.MIGRATION),
        "draft": make_session(title_fr="Brouillon secret", status=SessionStatus.DRAFT),
        "cancelled": make_session(title_fr="Session annulée", status=SessionStatus.CANCELLED,
                                  cancel_reason="Typhon", start=today + timedelta(days=10)),
    }


def test_catalogue_lists_upcoming_published_sessions_soonest_first(client, programme):
    response = client.get("/sessions")
    assert response.status_code == 200
    assert _titles(response) == ["Premiers secours", "Protection des mineurs en ligne", "Scène de crime"]


def test_archive_lists_past_completed_and_cancelled_sessions(client, programme):
    titles = _titles(client.get("/sessions/archive"))
    assert titles == ["Session annulée", "Fraude documentaire 2013"]


@pytest.mark.parametrize("query", ["ha noi", "Hà Nội", "HANOI", "hanoi", "  ha   NOI "])
def test_search_ignores_accents_case_and_spaces(client, programme, query):
    assert _titles(client.get("/sessions", query_string={"q": query})) == ["Premiers secours",
                                                                          "Protection des mineurs en ligne"]


@pytest.mark.parametrize("query,expected", [
    ("phnom penh", ["Scène de crime"]), ("PhnomPenh", ["Scène de crime"]), ("scene", ["Scène de crime"]),
    ("bao ve tre em", ["Protection des mineurs en ligne"]), ("mineurs hanoi", ["Protection des mineurs en ligne"]),
    ("vientiane", []), ("100%_", []),
])
def test_search_finds_titles_in_every_language_and_cities(client, programme, query, expected):
    assert _titles(client.get("/sessions", query_string={"q": query})) == expected


def test_search_in_vietnamese_shows_the_vietnamese_title(client, programme):
    client.set_cookie("lang", "vi")
    response = client.get("/sessions", query_string={"q": "ha noi"})
    assert "Bảo vệ trẻ em trên mạng" in _titles(response)


@pytest.mark.parametrize("args,expected", [
    ({"theme": "trafficking"}, ["Protection des mineurs en ligne"]),
    ({"kind": "seminar"}, ["Scène de crime"]),
    ({"country": "KH"}, ["Scène de crime"]),
    ({"city": "Phnom Penh"}, ["Scène de crime"]),
    ({"language": "km"}, ["Protection des mineurs en ligne"]),
    ({"language": "en"}, ["Scène de crime"]),
    ({"month": (date.today() + timedelta(days=50)).strftime("%Y-%m")}, None),
    ({"theme": "drugs"}, []),
])
def test_catalogue_filters(client, programme, args, expected):
    titles = _titles(client.get("/sessions", query_string=args))
    if expected is None:
        assert "Scène de crime" in titles and "Brouillon secret" not in titles
    else:
        assert titles == expected


def test_a_bad_month_is_a_translated_400_not_a_crash(client, programme):
    response = client.get("/sessions", query_string={"month": "juillet"})
    assert response.status_code == 400
    assert "Choisissez un mois." in _text(response)
    assert len(_titles(response)) == 3


def test_catalogue_pages_through_long_lists(app, client, make_session):
    app.config["ITEMS_PER_PAGE"] = 4
    for n in range(10):
        make_session(title_fr=f"Session {n:02d}", start=date.today() + timedelta(days=10 + n))
    first, third = client.get("/sessions"), client.get("/sessions?page=3")
    assert _titles(first) == [f"Session {n:02d}" for n in range(4)]
    assert _titles(third) == ["Session 08", "Session 09"]
    assert "page=2" in _text(first)
    assert client.get("/sessions?page=99").status_code == 200
    assert client.get("/sessions?page=abc").status_code == 200


def test_cards_show_seats_deadline_and_whether_registration_is_open(client, make_session, make_registration):
    session = make_session(capacity=3, title_fr="Petite session")
    make_registration(session)
    page = _text(client.get("/sessions"))
    assert "2 places restantes sur 3" in page
    assert "Inscriptions ouvertes" in page
    assert "Date limite" in page


def test_drafts_are_invisible_to_visitors_and_partners(client, partner_client, programme):
    draft = programme["draft"]
    for reader in (client, partner_client):
        assert "Brouillon secret" not in _text(reader.get("/sessions"))
        assert "Brouillon secret" not in _text(reader.get("/sessions/archive"))
        assert reader.get(f"/sessions/{draft.id}").status_code == 404
        assert reader.get(f"/sessions/{draft.id}.ics").status_code == 404
        assert "Brouillon secret" not in _text(reader.get("/sessions/calendar.ics"))
    assert client.get("/sessions/999999").status_code == 404


@pytest.mark.parametrize("who", ["organiser_client", "admin_client"])
def test_the_office_sees_drafts_by_direct_url(request, programme, who):
    staff = request.getfixturevalue(who)
    response = staff.get(f"/sessions/{programme['draft'].id}")
    assert response.status_code == 200 and "Brouillon secret" in _text(response)
    assert staff.get(f"/sessions/{programme['draft'].id}.ics").status_code == 200


@pytest.fixture
def registration_endpoints(app):
    """The registration pages the session page links to."""
    assert {"registrations.register", "registrations.nominate"} <= set(app.view_functions)


def _register_links(response) -> list[str]:
    return re.findall(r'href="([^"]*(?:register|nominate)[^"]*)"', _text(response))


def test_an_eligible_partner_gets_the_registration_links(app, registration_endpoints, partner_client, programme):
    from flask import url_for

    session = programme["hanoi"]
    response = partner_client.get(f"/sessions/{session.id}")
    with app.test_request_context():
        expected = [url_for("registrations.nominate", session_id=session.id),
                    url_for("registrations.register", session_id=session.id)]
    assert sorted(_register_links(response)) == sorted(expected)


def test_a_partner_of_a_country_not_eligible_is_told_why(registration_endpoints, partner_client, partner_kh_client,
                                                        programme):
    session = programme["phnom_penh"]  # Cambodia only
    response = partner_client.get(f"/sessions/{session.id}")
    assert _register_links(response) == []
    assert "ne sont pas éligibles" in _text(response)
    assert len(_register_links(partner_kh_client.get(f"/sessions/{session.id}"))) == 2


@pytest.mark.parametrize("case,message", [
    ("closed", "Les inscriptions à cette session sont closes."),
    ("deadline", "La date limite d’inscription est passée."),
    ("later", "Les inscriptions ouvrent le"),
    ("cancelled", "Cette session a été annulée."),
    ("ended", "Cette session est terminée."),
])
def test_when_registration_is_closed_the_page_says_why(registration_endpoints, partner_client, make_session, case,
                                                      message):
    now = datetime.now(timezone.utc)
    fields = {
        "closed": {"status": SessionStatus.CLOSED},
        "deadline": {"registration_deadline": now - timedelta(hours=1)},
        "later": {"registration_opens_at": now + timedelta(days=3)},
        "cancelled": {"status": SessionStatus.CANCELLED, "cancel_reason": "Typhon"},
        "ended": {"status": SessionStatus.COMPLETED, "start": date(2013, 9, 24)},
    }[case]
    session = make_session(**fields)
    response = partner_client.get(f"/sessions/{session.id}")
    assert response.status_code == 200
    assert _register_links(response) == []
    assert message in _text(response).replace("'", "’")


def test_an_anonymous_visitor_is_invited_to_log_in(client, programme):
    session = programme["hanoi"]
    page = _text(client.get(f"/sessions/{session.id}"))
    assert f'href="/login?next=/sessions/{session.id}"' in page


def test_the_session_page_shows_the_day_by_day_programme_and_quotas(db, client, values, make_agency):
    vn = make_agency("VN", name="Bộ Công an")
    session = run(services.create_session, values(capacity=20), [services.QuotaSpec(6, country="KH"),
                                                            services.QuotaSpec(4, agency_id=vn.id)])
    days = services.load_days(session.id)
    run(services.save_days, session.id, [services.DayChange(id=days[0].id, part=days[0].part, programme="Accueil",
                                                       split=True),
                                    services.DayChange(id=days[1].id, part=days[1].part, remove=True)])
    run(lifecycle.change_status, session.id, SessionStatus.PUBLISHED)
    page = _text(client.get(f"/sessions/{session.id}"))
    assert "Accueil" in page and "Matin" in page and "Après-midi" in page
    assert page.count('class="timetable-day') == 5  # one section per day or half-day
    assert "Cambodge\u202f: 6 places" in page
    assert "Bộ Công an" in page


def test_the_page_is_in_the_readers_language_with_french_fallback(client, make_session):
    session = make_session(title_fr="Gestion de crise", title_vi="Quản lý khủng hoảng")
    client.set_cookie("lang", "vi")
    assert "Quản lý khủng hoảng" in _text(client.get(f"/sessions/{session.id}"))
    client.set_cookie("lang", "km")
    refresh()  # the test and its requests share one app context: forget the cached language
    page = _text(client.get(f"/sessions/{session.id}"))
    assert "Gestion de crise" in page and 'lang="fr" data-testid="session-title"' in page


def test_the_home_page_shows_the_next_sessions(client, programme):
    page = _text(client.get("/"))
    assert "Premiers secours" in page and "Protection des mineurs en ligne" in page
    assert "Brouillon secret" not in page and "Fraude documentaire 2013" not in page
    assert "Trafic de stupéfiants" in page  # the priority themes are still there
