"""No GET request writes to the database: every GET route of the url_map, as each role, on the demo data.

URLs are built from the url_map with real ids of the seeded data (a completed session with
certificates, the session running today, an upcoming one; a partner's registration, certificate,
account…). Each request's SQL statements are counted with an engine event; an INSERT, UPDATE or
DELETE fails the test. The only exception is the audit record of an audited read (an export of
personal data), which must be an INSERT into `audit_event` and nothing else, and the writes of a
job a read enqueues (the ZIP of certificates whose PDFs are missing has the worker draw them), which
run inside the request only because tests run jobs at once.
"""

import itertools

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from registrations.auth.invitations import INVITATION, RESET, make_token
from registrations.models import (
    Certificate,
    CertificateStatus,
    Registration,
    RegistrationQuestion,
    RegistrationState,
    SessionDay,
    SessionStatus,
    TrainingSession,
    User,
    WebhookEndpoint,
)

#: Reads that are themselves audited (who exported whose data): they may add an audit event.
AUDITED_READS = {"admin.audit_csv", "admin.participant_export", "registrations.export", "attendance.export",
                 "reports.xlsx"}
#: Reads that enqueue a job (run at once in tests, inside the request): the job's writes, and only them
#: (with the office version its commit bumps, sessions/version.py).
JOB_WRITES = {"certificates.session_zip": ("UPDATE CERTIFICATE SET PDF=",
                                           "INSERT INTO PAGE_VERSION (ID, VALUE) VALUES (2,")}
ROLES = ("anonymous", "partner.vn@demo.test", "organiser@demo.test", "admin@demo.test")
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE")


def _ids(db) -> dict:
    """Real ids of the demo data, several per argument where pages differ by the object's state."""
    partner = db.session.scalar(select(User).where(User.email == "partner.vn@demo.test"))
    invited = db.session.scalar(select(User).where(User.email == "invited.kh@demo.test"))
    today_session = db.session.scalar(select(SessionDay.session_id).order_by(SessionDay.date.desc()).limit(1))
    completed = db.session.scalar(select(Certificate.registration_id).limit(1))
    completed_session = db.session.get(Registration, completed).session_id
    upcoming = db.session.scalar(select(TrainingSession.id).where(TrainingSession.status == SessionStatus.PUBLISHED)
                                 .order_by(TrainingSession.start_date.desc()).limit(1))
    asking_session = db.session.scalar(select(RegistrationQuestion.session_id).limit(1))
    sessions = sorted({today_session, completed_session, upcoming, asking_session})
    registration = db.session.scalar(select(Registration.id).where(
        Registration.agency_id == partner.agency_id, Registration.state == RegistrationState.APPROVED).limit(1))
    certificate = db.session.scalar(select(Certificate).join(Registration).where(
        Registration.agency_id == partner.agency_id, Certificate.status == CertificateStatus.VALID).limit(1))
    days = {sid: db.session.scalar(select(SessionDay.id).where(SessionDay.session_id == sid).limit(1))
            for sid in sessions}
    from registrations.models import Material, Signatory, TimetableItem, Trainer

    programme = {"trainer_id": [db.session.scalar(select(Trainer.id).limit(1))],
                 "item_id": [db.session.scalar(select(TimetableItem.id).limit(1))],
                 "material_id": [db.session.scalar(select(Material.id).limit(1))],
                 "signatory_id": [db.session.scalar(select(Signatory.id).limit(1))],
                 "kind": ["signature", "stamp"]}
    certificate.pdf = None  # a certificate never stored: its download draws it, and keeps nothing
    tokens = {"auth.accept_invitation": make_token(invited, INVITATION),
              "auth.reset_password": make_token(partner, RESET)}
    asking = db.session.scalar(select(RegistrationQuestion).limit(1))
    pending = db.session.scalar(select(Registration.id).where(
        Registration.agency_id == partner.agency_id, Registration.session_id == asking.session_id,
        Registration.state == RegistrationState.PENDING).limit(1))
    endpoint = WebhookEndpoint(url="https://hooks.example.org/training", secret="whsec_" + "A" * 32,
                               events="registration.created", active=False)  # a page to walk; sends nothing
    db.session.add(endpoint)
    db.session.commit()  # the nonces the tokens carry, the webhook endpoint
    return {
        "session_id": sessions, "days": days, "registration_id": [registration, pending],
        "question_id": [asking.id], "which": ["template", "example"],
        "certificate_id": [certificate.id], "code": [certificate.code], "user_id": [partner.id],
        "agency_id": [partner.agency_id], "participant_id": [partner.participant_id], "fmt": ["csv", "xlsx"],
        "number": [1],  # the first revocation status list
        "tokens": tokens, "endpoint_id": [endpoint.id], **programme,
    }


def _urls(app, ids) -> list[tuple[str, str]]:
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in ("static", "bootstrap.static"):
                continue
            names = sorted(rule.arguments)
            if "token" in names:
                urls.append((rule.endpoint, app.url_map.bind("localhost").build(
                    rule.endpoint, {"token": ids["tokens"][rule.endpoint]})))
                continue
            choices = [ids[name] for name in names if name != "day_id"]
            for combo in itertools.product(*choices):
                values = dict(zip([n for n in names if n != "day_id"], combo, strict=True))
                if "day_id" in names:
                    values["day_id"] = ids["days"][values["session_id"]]
                urls.append((rule.endpoint, app.url_map.bind("localhost").build(rule.endpoint, values)))
    return urls


@pytest.fixture
def demo(app, db):
    from registrations.demo import seed_demo

    seed_demo()
    db.session.commit()
    ids = _ids(db)
    db.session.remove()
    return ids


def test_no_get_route_writes_to_the_database(app, db, demo):
    urls = _urls(app, demo)
    endpoints = {endpoint for endpoint, _ in urls}
    assert {"sessions.detail", "certificates.download", "registrations.detail", "messages.admin_list"} <= endpoints
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(ROLES[1:])))}
    clients = {role: (app.test_client().login_as(users[role]) if role in users else app.test_client())
               for role in ROLES}
    db.session.remove()

    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.lstrip())

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    offences, answered = [], 0
    try:
        for (endpoint, url), role in itertools.product(urls, ROLES):
            statements.clear()
            response = clients[role].get(url)
            response.close()
            assert response.status_code < 500, (url, role, response.status_code)
            answered += response.status_code == 200
            writes = [s for s in statements if s.upper().startswith(WRITES)]
            if endpoint in AUDITED_READS:
                writes = [s for s in writes if not s.upper().startswith("INSERT INTO AUDIT_EVENT")]
            if endpoint in JOB_WRITES:
                writes = [s for s in writes if not s.upper().startswith(JOB_WRITES[endpoint])]
            if writes:
                offences.append((role, url, writes[0][:80]))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert offences == []
    assert answered > len(urls)  # the pages really answered (not only redirects to the login)


def test_the_scheduled_job_keeps_the_pdf_a_download_only_drew(app, db, demo, admin_user):
    from registrations.tasks import store_certificate_pdfs

    certificate_id = demo["certificate_id"][0]
    response = app.test_client().login_as(admin_user).get(f"/certificates/{certificate_id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    db.session.expire_all()
    assert db.session.get(Certificate, certificate_id).pdf is None
    db.session.rollback()
    assert store_certificate_pdfs.call_local() == 1
    db.session.expire_all()
    assert db.session.get(Certificate, certificate_id).pdf.startswith(b"%PDF")
