"""One office clock: at 23:30 UTC on 31 December it is already 1 January in Hanoi, and every
date the application shows, stores or decides on is the Hanoi date."""

import ast
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from registrations.admin.personal_data import cutoff_date
from registrations.certificates import services as certificates
from registrations.certificates.invitations import letter_for, load_invitation
from registrations.clock import local_date, local_midnight, local_now, local_today
from registrations.enrolment import services as enrolment
from registrations.evaluations.questions import has_ended
from registrations.models import Certificate, Registration, RegistrationState, SessionStatus
from registrations.reports.figures import ReportFilters, compute
from registrations.sessions import fragments
from registrations.transaction import run
from tests.admin.helpers import mark
from tests.registrations.conftest import register

ROOT = Path(__file__).resolve().parent.parent
#: 23:30 UTC on 31 December 2026: 06:30 on 1 January 2027 in Hanoi (UTC+7).
NEW_YEARS_EVE = datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)
HANOI_TODAY = date(2027, 1, 1)


@pytest.fixture
def new_years_eve():
    with time_machine.travel(NEW_YEARS_EVE, tick=False):
        yield


@pytest.fixture
def attendee(db, make_participant, make_registration):
    """An approved registration present on each of the session's three days."""

    def make(session):
        registration = make_registration(session, make_participant())
        mark(db, registration, ["present"] * 3)
        return registration

    return make


# ---------------------------------------------------------------- no other clock

FORBIDDEN = {("date", "today"), ("datetime", "utcnow"), ("datetime", "today"), ("datetime", "now")}


def _clock_calls(path: Path) -> list[str]:
    """Calls of date.today(), datetime.utcnow(), datetime.today() and datetime.now() without a zone."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
        if (owner_name, node.func.attr) not in FORBIDDEN:
            continue
        if node.func.attr == "now" and (node.args or node.keywords):
            continue  # datetime.now(zone): an aware instant
        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_application_reads_no_clock_but_the_offices():
    files = [ROOT / "app.py", ROOT / "config.py", *sorted((ROOT / "registrations").rglob("*.py"))]
    assert len(files) > 50
    assert [call for path in files for call in _clock_calls(path)] == []


def test_the_check_finds_what_it_forbids(tmp_path):
    sample = ROOT / "tests" / "_clock_sample.py"
    sample.write_text("import datetime as dt\nfrom datetime import date, datetime, timezone\n"
                      "a = date.today()\nb = datetime.utcnow()\nc = datetime.now()\nd = dt.datetime.now()\n"
                      "e = datetime.now(timezone.utc)\n")
    try:
        assert [line.split(": ")[1] for line in _clock_calls(sample)] == [
            "date.today()", "datetime.utcnow()", "datetime.now()", "dt.datetime.now()"]
    finally:
        sample.unlink()


# ---------------------------------------------------------------- the office's date

def test_today_is_the_hanoi_date(app, new_years_eve):
    assert local_today() == HANOI_TODAY
    assert local_now().hour == 6 and local_now().minute == 30
    assert local_date(NEW_YEARS_EVE) == HANOI_TODAY
    assert local_midnight(HANOI_TODAY) == datetime(2026, 12, 31, 17, 0, tzinfo=timezone.utc)


def test_a_session_without_deadline_closes_at_the_offices_midnight(app, client, make_session, new_years_eve):
    today = make_session(start=HANOI_TODAY, registration_deadline=None, title_fr="Commence aujourd’hui")
    tomorrow = make_session(start=HANOI_TODAY + timedelta(days=1), registration_deadline=None,
                            title_fr="Commence demain")
    assert not today.registration_is_open()  # it closed at 17:00 UTC, not at 07:00 on its first day
    assert tomorrow.registration_is_open()
    assert fragments.next_change([tomorrow], NEW_YEARS_EVE) == datetime(2027, 1, 1, 17, tzinfo=timezone.utc)
    page = client.get(f"/sessions/{today.id}").get_data(as_text=True)
    assert "Inscriptions closes" in page
    assert "Inscriptions ouvertes" in client.get(f"/sessions/{tomorrow.id}").get_data(as_text=True)


def _ended_yesterday_in_hanoi(make_session, **fields):
    """A session whose last day was 31 December: over in Hanoi, still running by the UTC date."""
    fields.setdefault("status", SessionStatus.CLOSED)
    return make_session(days=3, start=date(2026, 12, 29), registration_deadline=None, **fields)


def test_certificates_are_issued_on_the_hanoi_date_with_its_year(app, db, client, make_session, attendee,
                                                                 new_years_eve):
    session = _ended_yesterday_in_hanoi(make_session, serial_prefix="HAN")
    registration = attendee(session)
    assert certificates.session_has_ended(session)
    certificate, created = run(certificates.issue, registration.id)
    assert created
    assert certificate.serial == "HAN-2027-0001"
    assert certificate.facts["issue_date"] == "2027-01-01"
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "1 janvier 2027" in page and "31 décembre 2026" in page
    run(certificates.revoke, certificate.id, "Erreur de nom")
    db.session.expire_all()
    revoked = db.session.get(Certificate, certificate.id)
    assert local_date(revoked.revoked_at) == HANOI_TODAY
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "révoquée le 1 janvier 2027" in page


def test_evaluations_open_on_the_hanoi_date(app, make_session, new_years_eve):
    assert has_ended(_ended_yesterday_in_hanoi(make_session))


def test_dashboard_counts_the_session_held_by_the_hanoi_date(app, make_session, attendee, new_years_eve):
    session = _ended_yesterday_in_hanoi(make_session, country="KH")
    attendee(session)
    figures = compute(ReportFilters())
    assert figures.sessions_held == 1
    assert figures.sessions[0][0] == "KH"


def test_invitation_letters_are_dated_by_the_office(app, db, make_session, make_participant, make_agency,
                                                   make_registration, new_years_eve):
    abroad = make_session(start=date(2027, 2, 1), country="FR", city="Paris")
    participant = make_participant(make_agency("VN"))
    registration = make_registration(abroad, participant)
    invitation = load_invitation(registration.id)
    assert letter_for(invitation).letter_date == HANOI_TODAY


def test_anonymisation_counts_years_from_the_hanoi_date(app, new_years_eve):
    assert cutoff_date(5) == date(2022, 1, 1)


def test_seat_offers_run_from_now_and_read_in_hanoi_time(app, db, make_session, make_participant, make_agency,
                                                        outbox, new_years_eve):
    session = make_session(capacity=1, auto_approve=True, confirm_promotions=True, offer_hours=48,
                           start=date(2027, 3, 1))
    agency = make_agency("VN")
    first, second = (make_participant(agency, locale="fr") for _ in range(2))
    approved = register(session.id, agency_id=agency.id, participant_id=first.id)
    waiting = register(session.id, agency_id=agency.id, participant_id=second.id)
    outbox.clear()
    run(enrolment.cancel, approved.id, agency_id=agency.id)
    db.session.expire_all()
    offered = db.session.get(Registration, waiting.id)
    assert offered.state == RegistrationState.WAITLISTED
    assert offered.offer_expires_at == NEW_YEARS_EVE + timedelta(hours=48)
    (mail,) = [m for m in outbox if m.to == second.email]
    assert "3 janv. 2027" in mail.body and "06:30" in mail.body  # 23:30 UTC on 2 January


def test_attendance_of_the_last_day_counts_by_the_hanoi_date(app, db, make_session, attendee, new_years_eve):
    session = _ended_yesterday_in_hanoi(make_session)
    registration = attendee(session)
    overview = certificates.session_certificates(session)
    (candidate,) = overview.eligible
    assert candidate.registration.id == registration.id
    assert db.session.scalar(select(Certificate)) is None
