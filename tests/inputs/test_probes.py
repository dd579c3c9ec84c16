"""The probes of "every input answered", as regression tests (SQLite, and PostgreSQL when
TEST_DATABASE_URL points there): each one once answered 500."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from registrations.models import Participant, Registration, SessionDay, TrainingSession

BIG = [2**31, 2**63, 10**30]


def _count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("url", [
    "/sessions/2147483648", "/sessions/2147483648.ics", "/sessions/9223372036854775808",
    "/sessions/0", "/sessions/00000000000000000000001", "/sessions/%EF%BC%91",  # a full-width digit
])
def test_ids_out_of_range_are_not_found(clients, url):
    assert clients["anonymous"].get(url).status_code == 404


@pytest.mark.parametrize("url", [
    "/verify/abc%00def", "/sessions?q=abc%00", "/sessions/archive?q=%00", "/sessions?city=%00",
    "/sessions?q=%1B%5B31m", "/sessions?%00=1", "/verify/abc%7Fdef",
])
def test_control_characters_in_the_address_are_refused(clients, url):
    response = clients["anonymous"].get(url)
    assert response.status_code == 400
    assert "caractères de contrôle invisibles" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["99999999999999999999", "1e20", "-1", "²", "١٢", "100001"])
def test_page_numbers_are_capped(clients, page):
    for url in ("/sessions", "/sessions/archive"):
        assert clients["anonymous"].get(f"{url}?page={page}").status_code == 200
    assert clients["organiser"].get(f"/manage/sessions?page={page}").status_code == 200
    assert clients["partner"].get(f"/registrations?page={page}").status_code == 200


def test_a_nul_in_the_login_email_is_refused(clients, db):
    response = clients["anonymous"].post("/login", data={"email": "admin@example.test\x00", "password": "x" * 12})
    assert response.status_code == 400
    assert "caractères de contrôle" in response.get_data(as_text=True)


def test_partner_urls_beyond_the_id_range_are_not_found(clients):
    partner = clients["partner"]
    for url in ("/registrations/2147483648", "/certificates/2147483648.pdf", "/evaluations/2147483648",
                "/registrations/9223372036854775808/invitation.pdf"):
        assert partner.get(url).status_code == 404, url


@pytest.mark.parametrize("value", [str(n) for n in BIG] + ["²", "-1", "1.0", "0"])
def test_nominating_an_id_out_of_range_is_a_bad_request(clients, world, db, value):
    before = _count(db, Registration)
    response = clients["partner"].post(f"/sessions/{world.ids['session_id']}/nominate",
                                       data={"participant_id": value})
    assert response.status_code in (400, 404)
    assert _count(db, Registration) == before


NEW_PERSON = {"participant_id": "", "name_latin": "Le Van An", "rank": "Đại úy", "unit": "Phòng 3",
              "email": "an@example.test", "locale": "vi"}


@pytest.mark.parametrize("field,value,message", [
    ("name_latin", "Le\x00Van", "caractères de contrôle"),
    ("name_native", "Lê\x00Văn", "caractères de contrôle"),
    ("name_latin", "Le Van\u202eAn", "caractères invisibles"),
    ("name_native", "Lê Văn\u2067An", "caractères invisibles"),
    ("name_latin", "Le\nVan", "caractères invisibles"),
    ("name_latin", "ស្រី ពេជ្រ", "lettres latines"),
    ("name_latin", "Le Van 😀", "lettres latines"),
    ("name_latin", "Лев", "lettres latines"),
])
def test_names_with_controls_or_other_scripts_are_refused(clients, world, db, field, value, message):
    before = (_count(db, Participant), _count(db, Registration))
    response = clients["partner"].post(f"/sessions/{world.ids['session_id']}/nominate",
                                       data={**NEW_PERSON, field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert (_count(db, Participant), _count(db, Registration)) == before


@pytest.mark.parametrize("name_latin", ["Phạm Thị Thu Hằng", "O'Brien-Smith", "Jean-Pierre N. Dupont",
                                        "Nguye\u0302\u0303n Thi"])
def test_latin_names_with_diacritics_hyphens_apostrophes_and_dots_pass(clients, world, db, name_latin):
    response = clients["partner"].post(f"/sessions/{world.ids['session_id']}/nominate", data={
        **NEW_PERSON, "name_latin": name_latin, "name_native": "ស្រី ពេជ្រ\u200d"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def test_a_file_sent_in_a_text_field_is_refused(clients, world, db):
    before = _count(db, Participant)
    response = clients["partner"].post(
        f"/sessions/{world.ids['session_id']}/nominate",
        data={**NEW_PERSON, "name_latin": (io.BytesIO(b"%PDF-1.4"), "name.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "fichiers" in response.get_data(as_text=True).lower()
    assert _count(db, Participant) == before


def test_deeply_nested_or_large_json_is_refused(clients, world):
    organiser = clients["organiser"]
    url = f"/manage/sessions/{world.ids['session_id']}/attendance/{world.ids['day_id']}/mark"
    headers = {"X-CSRFToken": organiser.csrf_token(), "Accept": "application/json"}
    probe = organiser.post(url, data="[" * 100_000 + "]" * 100_000, content_type="application/json",
                           csrf=False, headers=headers)
    assert probe.status_code == 413
    deep = organiser.post(url, data='{"a":' * 5_000 + "1" + "}" * 5_000, content_type="application/json",
                          csrf=False, headers=headers)
    assert deep.status_code == 400
    large = organiser.post(url, data='{"x": "' + "a" * 70_000 + '"}', content_type="application/json",
                           csrf=False, headers=headers)
    assert large.status_code == 413
    # A bracket inside a string does not count as nesting.
    fine = organiser.post(url, json={"registration_id": world.ids["registration_id"], "status": "present",
                                     "note": "[[[[[[[[[[[[[[[[[[[[[[[[[[[["}, csrf=False, headers=headers)
    assert fine.status_code < 500


def _session_form(**overrides) -> dict:
    start = date.today() + timedelta(days=60)
    data = {"title_fr": "Enquêtes financières", "kind": "course", "theme": "drugs", "city": "Hà Nội",
            "country": "VN", "start_date": start.isoformat(), "end_date": (start + timedelta(days=2)).isoformat(),
            "working_language": "fr", "capacity": "25", "attendance_threshold": "80", "approval": "organiser",
            "offer_hours": "72"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("capacity", [str(2**31), str(10**20), "10001", "-99999999999999999999"])
def test_capacities_beyond_what_the_database_holds_are_refused(clients, db, capacity):
    before = _count(db, TrainingSession)
    response = clients["organiser"].post("/manage/sessions/new", data=_session_form(capacity=capacity))
    assert response.status_code == 400
    assert _count(db, TrainingSession) == before


def test_a_session_longer_than_the_limit_is_refused(app, clients, db):
    before = (_count(db, TrainingSession), _count(db, SessionDay))
    response = clients["organiser"].post("/manage/sessions/new", data=_session_form(
        start_date="2027-01-01", end_date="2036-12-31"))
    assert response.status_code == 400
    assert "60 jours" in response.get_data(as_text=True)
    assert (_count(db, TrainingSession), _count(db, SessionDay)) == before
    app.config["MAX_SESSION_DAYS"] = 3
    response = clients["organiser"].post("/manage/sessions/new", data=_session_form())
    assert response.status_code == 302


@pytest.mark.parametrize("field,value", [("start_date", "0001-01-01"), ("end_date", "9999-12-31"),
                                         ("registration_deadline", "0001-01-01T00:00")])
def test_dates_at_the_ends_of_the_calendar_are_refused(clients, db, field, value):
    response = clients["organiser"].post("/manage/sessions/new", data=_session_form(**{field: value}))
    assert response.status_code == 400


def test_a_duplicate_far_in_the_future_is_refused(clients, world):
    response = clients["organiser"].post(f"/manage/sessions/{world.ids['session_id']}/duplicate",
                                         data={"start_date": "9999-12-30"})
    assert 400 <= response.status_code < 500


def test_a_thirty_digit_agency_filter_is_ignored(clients, world):
    response = clients["organiser"].get(
        f"/manage/sessions/{world.ids['session_id']}/registrations?agency=" + "9" * 30)
    assert response.status_code == 200


def test_another_agencys_email_is_not_revealed_when_nominating(clients, world, db):
    kh_email = "partner.kh@example.test"
    response = clients["partner"].post(f"/sessions/{world.ids['session_id']}/nominate",
                                       data={**NEW_PERSON, "email": kh_email})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Cette personne ne peut pas être inscrite ici" in page
    assert "autre agence" not in page and "Police nationale" not in page


def test_a_partner_account_needs_a_latin_name_an_organiser_need_not(clients, world, db):
    from registrations.models import User

    admin = clients["admin"]
    partner = admin.post("/admin/users/new", data={
        "email": "kh.new@example.test", "name": "ស្រី ពេជ្រ", "role": "partner",
        "agency": str(world.ids["agency_id"]), "locale": "km"})
    assert partner.status_code == 400 and "lettres latines" in partner.get_data(as_text=True)
    organiser = admin.post("/admin/users/new", data={
        "email": "org.new@example.test", "name": "ស្រី ពេជ្រ", "role": "organiser", "agency": "0", "locale": "km"})
    assert organiser.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "kh.new@example.test")) == 0
