"""The offline verifier (/verify/scan) in Chromium: opened online, it verifies certificates with
the network switched off, refuses a tampered token and shows a revocation after a list refresh."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from registrations.certificates.services import issue, revoke
from registrations.credentials.keys import b64url, b64url_decode
from registrations.models import Attendance, AttendanceStatus, SessionDay, SessionStatus
from registrations.transaction import run
from tests.browser.conftest import assert_accessible


def _flip(token: str) -> str:
    header, payload, signature = token.split(".")
    raw = bytearray(b64url_decode(payload))
    raw[30] ^= 0x01
    return ".".join([header, b64url(bytes(raw)), signature])


def _verify(page, text: str) -> str:
    page.evaluate("() => { delete document.getElementById('scan-app').dataset.verdict; }")
    page.fill("#scan-input", text)
    page.click("#scan-form button[type=submit]")
    # Selector waits: a string predicate would be evaluated, which the page's CSP forbids.
    page.wait_for_selector("#scan-app[data-verdict]", state="attached")
    return page.get_attribute("#scan-app", "data-verdict")


@pytest.fixture
def certificates(app, db, live_server, make_session, make_participant, make_registration, organiser_user):
    """Two issued certificates whose tokens name this live server as their issuer."""
    app.config["PUBLIC_BASE_URL"] = live_server
    session = make_session(days=3, start=date.today() - timedelta(days=12), status=SessionStatus.COMPLETED,
                           title_fr="Protection des mineurs", city="Vientiane", country="LA")
    days = db.session.scalars(select(SessionDay).where(SessionDay.session_id == session.id)).all()
    registrations = []
    for latin, native, locale in (("Bounmy Sisavath", "ບຸນມີ ສີສະຫວາດ", "lo"), ("Chan Dara", "ចាន់ ដារា", "km")):
        registration = make_registration(session, make_participant(name_latin=latin, name_native=native,
                                                                   locale=locale))
        db.session.add_all(Attendance(registration_id=registration.id, day_id=day.id,
                                      status=AttendanceStatus.PRESENT) for day in days)
        registrations.append(registration)
    db.session.commit()
    return [run(issue, registration.id, actor=organiser_user)[0] for registration in registrations]


def test_verifies_offline_refuses_tampering_and_shows_revocation(browser, live_server, certificates,
                                                                 organiser_user):
    good, other = certificates
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server}/verify/scan")
    page.wait_for_selector("#scan-app[data-ready=true]", timeout=15000)
    assert_accessible(page)

    context.set_offline(True)
    page.reload()  # served by the service worker: the network is gone
    page.wait_for_selector("#scan-app")
    url = f"{live_server}/verify/{good.code}#{good.facts['credential']}"
    assert _verify(page, url) == "valid"
    facts = page.inner_text("#scan-facts")
    assert "Bounmy Sisavath" in facts and "ບຸນມີ ສີສະຫວາດ" in facts
    assert "Protection des mineurs" in facts and "Laos" in facts and good.serial in facts
    assert "Not revoked as of" in page.inner_text("#scan-revocation")

    assert _verify(page, _flip(good.facts["credential"])) == "refused"
    assert "Refused" in page.inner_text("#scan-verdict")
    assert _verify(page, "not a certificate") == "malformed"

    run(revoke, other.id, "Issued in error", actor=organiser_user)
    assert _verify(page, other.facts["credential"]) == "valid"  # the kept list predates the revocation
    context.set_offline(False)
    page.click("#scan-refresh")
    expect(page.locator("#scan-lists")).not_to_contain_text("not been")
    page.wait_for_timeout(300)
    context.set_offline(True)
    assert _verify(page, other.facts["credential"]) == "revoked"
    assert "No longer valid" in page.inner_text("#scan-verdict")
    assert _verify(page, url) == "valid"
    assert_accessible(page)
    context.close()


@pytest.mark.parametrize("locale, verdict, holder", [
    ("fr", "Attestation valide", "Titulaire"), ("vi", "Giấy chứng nhận hợp lệ", "Người được cấp"),
    ("km", "វិញ្ញាបនបត្រមានសុពលភាព", "ម្ចាស់វិញ្ញាបនបត្រ"), ("lo", "ໃບຢັ້ງຢືນມີຜົນສັກສິດ", "ຜູ້ຖື"),
    ("en", "Valid certificate", "Holder")])
def test_facts_in_the_readers_language(browser, live_server, certificates, locale, verdict, holder):
    good, _other = certificates
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.goto(f"{live_server}/verify/scan")
    page.wait_for_selector("#scan-app[data-ready=true]", timeout=15000)
    assert _verify(page, good.facts["credential"]) == "valid"
    assert page.get_attribute("html", "lang") == locale
    assert verdict in page.inner_text("#scan-verdict")
    assert holder in page.inner_text("#scan-facts")
    context.close()
