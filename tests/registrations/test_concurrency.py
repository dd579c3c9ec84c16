"""No overbooking under real concurrency: many registrations race for the last seats.

Each attempt runs in its own thread with its own application context, hence its own database
session and connection — through the service, and through HTTP against a live server. The suite
runs this on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
"""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

from sqlalchemy import func, select

from registrations.models import AuditEvent, Registration, TrainingSession, User
from registrations.models import RegistrationState as S
from tests.conftest import TEST_PASSWORD
from tests.registrations.conftest import approved_count, register

ATTEMPTS = 50
SEATS_LEFT = 5


def _crowded_session(db, make_session, make_registration, make_participant, agency):
    """A session of 20 seats with 15 taken, and 50 colleagues of `agency` who want one."""
    session = make_session(capacity=20, auto_approve=True)
    for _ in range(20 - SEATS_LEFT):
        make_registration(session, make_participant(agency))
    people = [make_participant(agency, name_latin=f"Officer {n:02d}") for n in range(ATTEMPTS)]
    session_id, ids = session.id, [p.id for p in people]
    db.session.remove()
    return session_id, ids


def _check_outcome(db, session_id: int, participant_ids: list[int]):
    rows = db.session.execute(
        select(Registration.id, Registration.participant_id, Registration.state, Registration.personal_code,
               Registration.created_at)
        .where(Registration.session_id == session_id, Registration.participant_id.in_(participant_ids))
        .order_by(Registration.id)).all()
    assert len(rows) == ATTEMPTS, "every attempt left exactly one registration"
    assert sorted(r.participant_id for r in rows) == sorted(participant_ids)
    assert [r.state for r in rows] == [S.APPROVED] * SEATS_LEFT + [S.WAITLISTED] * (ATTEMPTS - SEATS_LEFT)
    created = [r.created_at for r in rows]
    assert created == sorted(created), "the order of ids is the order of arrival"
    codes = [r.personal_code for r in rows if r.state == S.APPROVED]
    assert all(codes) and len(set(codes)) == SEATS_LEFT
    session = db.session.get(TrainingSession, session_id)
    assert session.seats_taken == session.capacity == approved_count(db, session_id)
    events = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "registration.state", AuditEvent.object_id.in_([r.id for r in rows])))
    assert events == ATTEMPTS


def test_fifty_concurrent_registrations_through_the_service(db, run_together, make_session, make_registration,
                                                            make_participant, partner_user, outbox):
    agency_id = partner_user.agency_id
    actor_id = partner_user.id
    session_id, participant_ids = _crowded_session(db, make_session, make_registration, make_participant,
                                                   partner_user.agency)

    def register_one(index):
        actor = db.session.get(User, actor_id)  # in the thread's own session
        registration = register(session_id, agency_id=agency_id,
                                participant_id=participant_ids[index], nominated=True, actor=actor)
        assert registration.state in (S.APPROVED, S.WAITLISTED)

    assert run_together(*(lambda _barrier, i=i: register_one(i) for i in range(ATTEMPTS))) == []
    _check_outcome(db, session_id, participant_ids)


def test_fifty_concurrent_nominations_through_http(db, run_together, http_server, make_session, make_registration,
                                                   make_participant, partner_user):
    session_id, participant_ids = _crowded_session(db, make_session, make_registration, make_participant,
                                                   partner_user.agency)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_page = opener.open(f"{http_server}/login").read().decode()
    token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    opener.open(f"{http_server}/login", urllib.parse.urlencode(
        {"email": "partner.vn@example.test", "password": TEST_PASSWORD, "csrf_token": token}).encode())
    page = opener.open(f"{http_server}/sessions/{session_id}/nominate").read().decode()
    token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    statuses: list[int] = []

    def nominate(index):
        data = urllib.parse.urlencode({"csrf_token": token, "participant_id": participant_ids[index],
                                       "locale": "fr"}).encode()
        try:
            response = opener.open(f"{http_server}/sessions/{session_id}/nominate", data, timeout=60)
            statuses.append(response.status)
            assert "/registrations/" in response.url
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
            raise

    assert run_together(*(lambda _barrier, i=i: nominate(i) for i in range(ATTEMPTS))) == []
    assert statuses == [200] * ATTEMPTS
    db.session.remove()
    _check_outcome(db, session_id, participant_ids)
