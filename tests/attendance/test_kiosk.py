"""Kiosk mode: participants check themselves in on a shared device; only the organiser leaves it."""

import pytest
from sqlalchemy import select

from registrations.models import Attendance, AttendanceStatus
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def kiosk(running, organiser_client):
    session = running["session"]
    url = f"/manage/sessions/{session.id}/kiosk"
    start = organiser_client.post(f"{url}/start")
    assert start.status_code == 302 and start.headers["Location"].endswith(url)
    return {"url": url, "client": organiser_client, **running}


def test_before_starting_the_kiosk_page_explains_and_offers_to_start(running, organiser_client):
    page = organiser_client.get(f"/manage/sessions/{running['session'].id}/kiosk")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Passer en mode borne" in text and 'name="code"' not in text


def test_a_participant_checks_in_and_sees_only_their_own_name(db, kiosk):
    client, url = kiosk["client"], kiosk["url"]
    page = client.get(url)
    assert page.status_code == 200 and page.headers["Permissions-Policy"].startswith("camera=(self)")
    text = page.get_data(as_text=True)
    assert 'id="main-menu"' not in text and "Nguyen Thi Huong" not in text
    answer = client.post(url, data={"code": kiosk["codes"][1]})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Srey Pich" in text and "ស្រី ពេជ្រ" in text
    # Nobody else's name, nor the agency or rank, nor anyone else's code.
    for other in ("Nguyen Thi Huong", "Khamla Phommachanh", "Police nationale", "Major", kiosk["codes"][0]):
        assert other not in text
    mark = db.session.scalar(select(Attendance).where(Attendance.registration_id == kiosk["registrations"][1].id))
    assert mark.status == AttendanceStatus.PRESENT and mark.day_id == kiosk["days"][1].id
    again = client.post(url, data={"code": kiosk["codes"][1]}).get_data(as_text=True)
    assert "déjà" in again
    wrong = client.post(url, data={"code": "ZZZZZZ"})
    assert wrong.status_code == 404 and "ZZZZZZ" in wrong.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/manage/sessions", "/admin/users", "/registrations",
                                  "/manage/sessions/{id}/attendance"])
def test_no_other_page_opens_in_kiosk_mode(kiosk, path):
    answer = kiosk["client"].get(path.format(id=kiosk["session"].id))
    assert answer.status_code == 302 and answer.headers["Location"].endswith(kiosk["url"])


def test_leaving_needs_the_organisers_password(kiosk):
    client, url = kiosk["client"], kiosk["url"]
    refused = client.post(f"{url}/leave", data={"password": "not it"})
    assert refused.status_code == 400 and "pas le mot de passe" in refused.get_data(as_text=True)
    assert client.get("/manage/sessions").status_code == 302
    empty = client.post(f"{url}/leave", data={"password": ""})
    assert empty.status_code == 400
    left = client.post(f"{url}/leave", data={"password": TEST_PASSWORD})
    assert left.status_code == 302
    assert left.headers["Location"].endswith(f"/manage/sessions/{kiosk['session'].id}/checkin")
    assert client.get("/manage/sessions").status_code == 200


def test_partners_cannot_start_a_kiosk(running, partner_client):
    assert partner_client.post(f"/manage/sessions/{running['session'].id}/kiosk/start").status_code == 403


@pytest.mark.parametrize(("lang", "welcome", "leave"), [
    ("fr", "Bienvenue", "quitter le mode borne"),
    ("en", "Welcome", "leave kiosk mode"),
    ("vi", "Xin chào", "thoát chế độ"),
    ("km", "សូមស្វាគមន៍", "ចាកចេញ"),
    ("lo", "ຍິນດີຕ້ອນຮັບ", "ອອກຈາກ"),
])
def test_the_kiosk_speaks_the_five_languages(kiosk, lang, welcome, leave):
    client = kiosk["client"]
    client.post("/language", data={"lang": lang, "next": kiosk["url"]})
    text = client.get(kiosk["url"]).get_data(as_text=True)
    assert welcome in text and leave in text
    done = client.post(kiosk["url"], data={"code": kiosk["codes"][2]}).get_data(as_text=True)
    assert "Khamla Phommachanh" in done and welcome in done


def test_a_language_chosen_on_the_kiosk_is_the_kiosks_not_the_organisers(db, kiosk, organiser_user):
    """A participant switching the kiosk to Khmer changes the kiosk's pages only: the organiser's
    account keeps its language, no language cookie is left on the device, and leaving the mode
    brings the organiser's language back."""
    client, url = kiosk["client"], kiosk["url"]
    organiser_user.locale = before = "vi"
    db.session.commit()
    switched = client.post("/language", data={"lang": "km", "next": url})
    assert switched.status_code == 302 and switched.headers["Location"].endswith(url)
    assert "lang=" not in switched.headers.get("Set-Cookie", "")
    db.session.refresh(organiser_user)
    assert organiser_user.locale == before
    page = client.get(url).get_data(as_text=True)
    assert '<html lang="km">' in page and "សូមស្វាគមន៍" in page
    done = client.post(url, data={"code": kiosk["codes"][2]}).get_data(as_text=True)
    assert "Khamla Phommachanh" in done and '<html lang="km">' in done

    left = client.post(f"{url}/leave", data={"password": TEST_PASSWORD})
    assert left.status_code == 302
    db.session.refresh(organiser_user)
    assert organiser_user.locale == before
    after = client.get(left.headers["Location"]).get_data(as_text=True)
    assert f'<html lang="{before}">' in after
