"""An admin invites a partner; the partner opens the emailed link, chooses a password, logs in.
Then the dashboard and the audit log, looked at on a desktop and on a phone."""

import re

import pytest
from sqlalchemy import select

from registrations.demo import DEMO_PASSWORD
from registrations.evaluations.questions import ensure_questions
from registrations.models import Agency, Participant, RegistrationState, Theme
from registrations.transaction import run
from tests.admin.helpers import answer, certify, ended_session, mark
from tests.browser.conftest import assert_accessible, log_in, page_width

NEW_PASSWORD = "mekong-delta-2026"


@pytest.fixture
def activity(db, demo_data, make_session, make_registration):
    """Two sessions that took place, with demo participants, marks, certificates and evaluations."""
    people = db.session.scalars(select(Participant).order_by(Participant.id)).all()
    plans = [(Theme.TRAFFICKING, "Protection des mineurs", "KH", 400), (Theme.DRUGS, "Gestion d’une scène de crime",
                                                                          "VN", 20)]
    sessions = []
    for n, (theme, title, country, ago) in enumerate(plans):
        session = ended_session(make_session, days=3, ago=ago, theme=theme, title_fr=title, country=country)
        sessions.append(session)
        questions = run(ensure_questions, session)
        for k, participant in enumerate(people[n::2]):
            registration = make_registration(session, participant, state=RegistrationState.APPROVED)
            mark(db, registration, ["present", "late" if k % 2 else "present", "absent" if k % 3 == 0 else "present"])
            if k % 3:
                certify(db, registration)
            answer(db, registration, {q: 5 - (k + i) % 3 for i, q in enumerate(questions)},
                   comment="Très utile pour notre service." if k == 1 else "")
    return sessions


def test_admin_invites_a_partner_who_sets_a_password(app, db, live_server, demo_data, browser, page, tmp_path):
    outbox = app.extensions["mail_outbox"]
    agency_id = db.session.scalar(select(Agency.id).where(Agency.code == "KH-CNP"))
    log_in(page, live_server, "admin@demo.test", DEMO_PASSWORD)
    page.goto(f"{live_server}/admin/users/new")
    page.get_by_label("Adresse électronique").fill("sok.chea@demo.test")
    page.get_by_label("Nom", exact=True).fill("Sok Chea")
    page.get_by_label("Nom dans l’écriture de la personne").fill("សុខ ជា")
    page.get_by_label("Rôle").select_option("partner")
    page.get_by_label("Agence").select_option(str(agency_id))
    page.get_by_label("Langue des courriels").select_option("km")
    assert_accessible(page)
    page.screenshot(path=str(tmp_path / "invite-form.png"), full_page=True)
    sent_before = len(outbox)
    page.get_by_role("button", name="Créer et envoyer l’invitation").click()
    page.wait_for_load_state()
    assert "sok.chea@demo.test" in page.locator("[role=status]").first.inner_text()
    assert len(outbox) == sent_before + 1
    mail = outbox[-1]
    assert mail.to == "sok.chea@demo.test" and mail.locale == "km"
    path = re.search(r"https?://[^/\s]+(/account/invitation/\S+)", mail.body).group(1)

    partner_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="km-KH")
    partner = partner_context.new_page()
    try:
        response = partner.goto(live_server + path)
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "sok.chea@demo.test" in partner.content()
        assert_accessible(partner)
        partner.screenshot(path=str(tmp_path / "choose-password-km.png"), full_page=True)
        partner.locator("#new_password").fill(NEW_PASSWORD)
        partner.locator("#confirm").fill(NEW_PASSWORD)
        partner.locator("form button[type=submit], form input[type=submit]").last.click()
        partner.wait_for_load_state()
        assert partner.url.endswith("/login")
        partner.locator("#email").fill("sok.chea@demo.test")
        partner.locator("#password").fill(NEW_PASSWORD)
        partner.locator("form[action^='/login'] [type=submit]").click()
        partner.wait_for_load_state()
        assert "Sok Chea" in partner.get_by_test_id("whoami").inner_text()
        # The link is dead now.
        again = partner.goto(live_server + path)
        assert again.status == 410
    finally:
        partner_context.close()


def test_dashboard_and_audit_log(live_server, activity, page, phone_page, tmp_path):
    log_in(page, live_server, "admin@demo.test", DEMO_PASSWORD)
    page.goto(f"{live_server}/reports")
    assert page.locator("svg[role=img]").count() >= 5
    assert page.get_by_test_id("certificates").inner_text() != "0"
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert_accessible(page)

    page.goto(f"{live_server}/admin/audit")
    assert page.locator("table tbody tr").count() >= 1
    page.screenshot(path=str(tmp_path / "audit.png"), full_page=True)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger en CSV").click()
    assert download.value.suggested_filename.startswith("audit-")

    log_in(phone_page, live_server, "organiser@demo.test", DEMO_PASSWORD)
    phone_page.goto(f"{live_server}/reports")
    assert page_width(phone_page) <= 360
    phone_page.screenshot(path=str(tmp_path / "dashboard-phone.png"), full_page=True)
    assert_accessible(phone_page)
    phone_page.goto(f"{live_server}/manage/sessions/{activity[1].id}/evaluation")
    assert phone_page.get_by_test_id("response-rate").inner_text() == "100 %"
    assert page_width(phone_page) <= 360
    phone_page.screenshot(path=str(tmp_path / "results-phone.png"), full_page=True)
    assert_accessible(phone_page)
