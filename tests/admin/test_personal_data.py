"""Personal data: the export of everything held on a participant, and anonymisation."""

import json
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from registrations.admin.personal_data import anonymise, candidates, cutoff_date
from registrations.evaluations.questions import ensure_questions
from registrations.models import (
    AuditEvent,
    Certificate,
    CertificateStatus,
    Participant,
    Registration,
    Role,
    User,
)
from registrations.transaction import run
from tests.admin.helpers import answer, certify, ended_session, mark

LONG_AGO = datetime.now(timezone.utc) - timedelta(days=7 * 365)


def _history(db, make_session, make_registration, participant, ago_days):
    session = ended_session(make_session, days=2, ago=ago_days)
    registration = make_registration(session, participant, motivation="Je travaille sur la traite.")
    mark(db, registration, ["present", "late"])
    facts = {"participant_name_latin": participant.name_latin, "participant_name_native": participant.name_native,
             "rank": "Major", "agency_name": "Police", "session_title_fr": "Stupéfiants", "serial": "HAN-1"}
    certificate = certify(db, registration, facts=facts, pdf=b"%PDF-1.7 fake")
    return session, registration, certificate


def test_export_holds_everything_and_is_audited(db, admin_client, admin_user, make_participant, make_session,
                                               make_registration, make_agency, count_queries):
    participant = make_participant(make_agency("KH"), name_latin="Srey Pich", name_native="ស្រី ពេជ្រ",
                                   phone="+855 12 345 678")
    session, registration, certificate = _history(db, make_session, make_registration, participant, 10)
    questions = run(ensure_questions, session)
    answer(db, registration, {questions[0]: 5, questions[1]: 4}, comment="Très utile")
    with count_queries() as queries:
        response = admin_client.get(f"/admin/participants/{participant.id}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["name_native"] == "ស្រី ពេជ្រ" and data["profile"]["phone"] == "+855 12 345 678"
    assert data["profile"]["agency"]["country"] == "KH"
    [entry] = data["registrations"]
    assert entry["motivation"] == "Je travaille sur la traite."
    assert [m["status"] for m in entry["attendance"]] == ["present", "late"]
    assert entry["certificates"][0]["serial"] == certificate.serial
    assert entry["evaluation"]["comment"] == "Très utile"
    assert [a["score"] for a in entry["evaluation"]["answers"]] == [5, 4]
    assert len(queries) <= 12
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "participant.exported"))
    assert event.actor_id == admin_user.id and event.object_id == participant.id


def test_export_access(organiser_client, admin_client, make_participant):
    participant = make_participant()
    assert organiser_client.get(f"/admin/participants/{participant.id}.json").status_code == 403
    assert admin_client.get("/admin/participants/999999.json").status_code == 404


def test_participant_search(admin_client, make_participant, make_agency):
    make_participant(make_agency("VN"), name_latin="Nguyễn Thị Hương")
    make_participant(make_agency("LA"), name_latin="Khamla Phommachanh")
    page = admin_client.get("/admin/participants?q=nguyen thi").get_data(as_text=True)
    assert "Nguyễn Thị Hương" in page and "Khamla" not in page


def test_cutoff_date_handles_leap_days():
    assert cutoff_date(5, date(2028, 2, 29)) == date(2023, 2, 28)
    assert cutoff_date(5, date(2026, 6, 1)) == date(2021, 6, 1)


def test_anonymise_command(db, runner, make_participant, make_session, make_registration, make_user, make_agency):
    agency = make_agency("VN")
    old = make_participant(agency, name_latin="Tran Van Minh", name_native="Trần Văn Minh",
                           created_at=LONG_AGO, phone="0912")
    _, old_registration, old_certificate = _history(db, make_session, make_registration, old, 6 * 365 + 30)
    recent = make_participant(agency, name_latin="Le Thi Mai", created_at=LONG_AGO)
    _history(db, make_session, make_registration, recent, 6 * 365 + 30)
    _history(db, make_session, make_registration, recent, 30)  # a recent session keeps her data
    partner = make_user(Role.PARTNER, agency=agency, email="old.partner@example.test", created_at=LONG_AGO,
                        last_login_at=LONG_AGO)
    participant_of_partner = db.session.get(Participant, partner.participant_id)
    participant_of_partner.created_at = LONG_AGO
    db.session.commit()
    _history(db, make_session, make_registration, participant_of_partner, 6 * 365)

    dry = runner.invoke(args=["anonymise", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "participants 2" in dry.output and "accounts 1" in dry.output and "certificates 2" in dry.output
    assert db.session.get(Participant, old.id).anonymised_at is None

    result = runner.invoke(args=["anonymise", "--years", "5"])
    assert result.exit_code == 0, result.output
    old = db.session.get(Participant, old.id)
    assert old.anonymised_at is not None
    assert (old.name_latin, old.name_native, old.email, old.phone) == ("", "", None, "")
    assert db.session.get(Registration, old_registration.id).motivation == ""
    certificate = db.session.get(Certificate, old_certificate.id)
    assert certificate.status == CertificateStatus.VALID and certificate.pdf is None
    assert certificate.facts["participant_name_latin"] == "" and certificate.facts["participant_name_native"] == ""
    assert certificate.facts["rank"] == "" and certificate.facts["session_title_fr"] == "Stupéfiants"
    assert db.session.get(Participant, recent.id).name_latin == "Le Thi Mai"
    account = db.session.get(User, partner.id)
    assert not account.active and account.email != "old.partner@example.test" and account.display_name == ""
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "participant.anonymised")) == 2
    # Aggregates stay: the registration, its marks and the certificate are still counted.
    assert db.session.scalar(select(func.count()).select_from(Registration)
                             .where(Registration.participant_id == old.id)) == 1

    again = runner.invoke(args=["anonymise"])
    assert again.exit_code == 0 and "participants 0" in again.output


def test_recently_used_accounts_and_new_participants_are_kept(db, make_participant, make_user, make_agency):
    agency = make_agency("KH")
    make_participant(agency, name_latin="New person")  # created today, no session
    partner = make_user(Role.PARTNER, agency=agency, created_at=LONG_AGO)  # never logged in, created long ago
    participant = db.session.get(Participant, partner.participant_id)
    participant.created_at = LONG_AGO
    partner.last_login_at = datetime.now(timezone.utc)
    db.session.commit()
    assert candidates(5) == []
    partner.last_login_at = LONG_AGO
    db.session.commit()
    assert candidates(5) == [participant.id]
    assert anonymise(candidates(5))["accounts"] == 1
