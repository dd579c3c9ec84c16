"""Eligibility, issuing, serials, revocation, re-issue and snapshots, through the services."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from registrations.certificates import services
from registrations.certificates.services import (
    CertificateError,
    issue,
    issue_all,
    reissue,
    revoke,
    serial_prefix,
    session_certificates,
)
from registrations.models import (
    Attendance,
    AttendanceStatus,
    AuditEvent,
    Certificate,
    CertificateStatus,
    RegistrationState,
    SessionStatus,
    TrainingSession,
)
from registrations.transaction import run

YEAR = date.today().year


def _reasons(candidate) -> str:
    with force_locale("en"):
        return " ".join(str(reason) for reason in candidate.reasons)


def test_eligibility_lists_who_is_not_eligible_and_why(app, ended_session, attendee, make_registration, mark):
    session = ended_session(days=5, attendance_threshold=80)
    good = attendee(session, name_latin="Good Attendee")
    low = attendee(session, present=3, name_latin="Low Attendee")
    pending = mark(make_registration(session, state=RegistrationState.PENDING), 5)
    overview = session_certificates(session)
    assert [c.registration.id for c in overview.eligible] == [good.id]
    by_id = {c.registration.id: c for c in overview.not_eligible}
    assert set(by_id) == {low.id, pending.id}
    assert "60 % is below the threshold of 80 %" in _reasons(by_id[low.id])
    assert "not approved" in _reasons(by_id[pending.id])


def test_excused_days_count_when_the_session_says_so(app, db, ended_session, attendee):
    session = ended_session(days=5, attendance_threshold=80, excused_counts_as_attended=True)
    registration = attendee(session, present=3)
    overview = session_certificates(session)
    assert overview.not_eligible[0].registration.id == registration.id
    # Re-mark the two absent days as excused: 5 of 5 now count.
    for row in db.session.scalars(select(Attendance).where(Attendance.registration_id == registration.id)):
        if row.status == AttendanceStatus.ABSENT:
            row.status = AttendanceStatus.EXCUSED
    db.session.commit()
    assert [c.registration.id for c in session_certificates(session).eligible] == [registration.id]


def test_a_session_that_has_not_ended_gives_no_certificate(app, make_session, attendee, db):
    running = make_session(days=3, start=date.today() - timedelta(days=1), status=SessionStatus.PUBLISHED)
    registration = attendee(running)
    candidate = session_certificates(running, today=date.today() + timedelta(days=10)).eligible
    assert [c.registration.id for c in candidate] == [registration.id]  # once it is over, yes
    overview = session_certificates(running)
    assert "not ended" in _reasons(overview.not_eligible[0])
    with pytest.raises(CertificateError) as refused:
        run(issue, registration.id)
    assert refused.value.status == 409
    with pytest.raises(CertificateError):
        run(issue_all, running.id)
    assert db.session.scalar(select(Certificate.id)) is None


def test_a_published_session_past_its_end_date_has_ended(app, make_session, attendee):
    session = make_session(days=2, start=date.today() - timedelta(days=5), status=SessionStatus.CLOSED)
    registration = attendee(session)
    certificate, created = run(issue, registration.id)
    assert created and certificate.status == CertificateStatus.VALID


def test_cancelled_session_gives_no_certificate(app, ended_session, attendee):
    session = ended_session(status=SessionStatus.CANCELLED)
    registration = attendee(session)
    with pytest.raises(CertificateError) as refused, force_locale("en"):
        run(issue, registration.id)
    assert "cancelled" in str(refused.value.message)


def test_issue_stores_snapshot_pdf_serial_code_and_audit(app, db, ended_session, attendee, organiser_user):
    session = ended_session(days=4, title_fr="Gestion d'une scène de crime", city="Phnom Penh",
                            country="KH", serial_prefix="")
    registration = attendee(session, present=4, name_latin="Srey Pich", name_native="ស្រី ពេជ្រ",
                            rank="Major", locale="km")
    certificate, created = run(issue, registration.id, actor=organiser_user)
    assert created
    assert certificate.serial == f"PNH-{YEAR}-0001"
    assert len(certificate.code) >= 32  # 24 random bytes, URL-safe
    assert certificate.locale == "km"
    facts = certificate.facts
    assert facts["participant_name_native"] == "ស្រី ពេជ្រ"
    assert facts["session_title_fr"] == "Gestion d'une scène de crime"
    assert facts["days_attended"] == 4 and facts["days_held"] == 4
    assert facts["verify_url"] == f"http://localhost/verify/{certificate.code}"
    assert facts["country_name_fr"] == "Cambodge"
    assert facts["signatory_name"] == app.config["CERTIFICATE_SIGNATORY_NAME"]
    stored = db.session.scalar(select(Certificate.pdf).where(Certificate.id == certificate.id))
    assert stored.startswith(b"%PDF-")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.issue"))
    assert event.object_id == certificate.id and event.actor_id == organiser_user.id
    assert event.after["serial"] == certificate.serial


def test_issuing_twice_returns_the_existing_certificate(app, db, ended_session, attendee):
    registration = attendee(ended_session())
    first, created = run(issue, registration.id)
    again, created_again = run(issue, registration.id)
    assert created and not created_again
    assert again.id == first.id
    assert db.session.scalar(select(Certificate.id).where(Certificate.id != first.id)) is None
    assert run(issue_all, registration.session_id) == []


def test_non_eligible_registration_is_refused(app, db, ended_session, attendee, make_registration):
    session = ended_session(days=5)
    low = attendee(session, present=1)
    rejected = make_registration(session, state=RegistrationState.REJECTED)
    for registration_id in (low.id, rejected.id):
        with pytest.raises(CertificateError) as refused:
            run(issue, registration_id)
        assert refused.value.status == 409
    with pytest.raises(CertificateError) as missing:
        run(issue, 999_999)
    assert missing.value.status == 404
    assert db.session.scalar(select(Certificate.id)) is None


def test_issue_all_issues_every_eligible_registration_with_consecutive_serials(app, db, ended_session, attendee):
    session = ended_session(days=4)
    eligible = [attendee(session) for _ in range(3)]
    attendee(session, present=2)
    created = run(issue_all, session.id)
    assert sorted(c.registration_id for c in created) == sorted(r.id for r in eligible)
    assert sorted(c.serial for c in created) == [f"HAN-{YEAR}-{n:04d}" for n in (1, 2, 3)]
    assert db.session.query(AuditEvent).filter_by(action="certificate.issue").count() == 3


def test_serials_follow_the_prefix_and_year_across_sessions(app, ended_session, attendee, make_session, db):
    first = ended_session(serial_prefix="HAN")
    second = ended_session(serial_prefix="han")  # normalised to HAN: the same sequence
    other = ended_session(serial_prefix="", city="Vientiane")
    a = run(issue, attendee(first).id)[0]
    b = run(issue, attendee(second).id)[0]
    c = run(issue, attendee(other).id)[0]
    assert (a.serial, b.serial, c.serial) == (f"HAN-{YEAR}-0001", f"HAN-{YEAR}-0002", f"VTE-{YEAR}-0001")
    # Sequence numbers keep growing past 9999 without breaking the order.
    db.session.add(Certificate(registration_id=a.registration_id, serial=f"HAN-{YEAR}-9999", code="x" * 32,
                               status=CertificateStatus.REVOKED, facts={}, locale="fr"))
    db.session.commit()
    d = run(issue, attendee(first).id)[0]
    e = run(issue, attendee(first).id)[0]
    assert (d.serial, e.serial) == (f"HAN-{YEAR}-10000", f"HAN-{YEAR}-10001")


def test_serial_prefix_falls_back_to_the_city(app, make_session):
    assert serial_prefix(TrainingSession(serial_prefix="", city="Hà Nội")) == "HAN"
    assert serial_prefix(TrainingSession(serial_prefix=" pnh ", city="x")) == "PNH"
    assert serial_prefix(TrainingSession(serial_prefix="", city="ភ្នំពេញ", country="KH")) == "KHX"


def test_a_serial_taken_meanwhile_is_retried(app, db, ended_session, attendee, monkeypatch):
    """Another session of the same prefix took the next serial between reading and inserting."""
    session = ended_session()
    taken = run(issue, attendee(session).id)[0]
    real = services.last_sequence
    calls = {"n": 0}

    def stale(prefix, year):
        calls["n"] += 1
        return 0 if calls["n"] == 1 else real(prefix, year)  # the first read misses the taken serial

    monkeypatch.setattr(services, "last_sequence", stale)
    fresh = run(issue, attendee(session).id)[0]
    assert taken.serial == f"HAN-{YEAR}-0001" and fresh.serial == f"HAN-{YEAR}-0002"
    assert calls["n"] == 2


def test_revoke_needs_a_reason_and_a_valid_certificate(app, db, ended_session, attendee, organiser_user):
    certificate = run(issue, attendee(ended_session()).id)[0]
    with pytest.raises(CertificateError) as no_reason:
        run(revoke, certificate.id, "   ", actor=organiser_user)
    assert no_reason.value.status == 400
    revoked = run(revoke, certificate.id, "Nom mal orthographié", actor=organiser_user)
    assert revoked.status == CertificateStatus.REVOKED
    assert revoked.revoked_at is not None and revoked.revoked_by_id == organiser_user.id
    assert revoked.revoke_reason == "Nom mal orthographié"
    with pytest.raises(CertificateError) as twice:
        run(revoke, certificate.id, "again")
    assert twice.value.status == 409
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.revoke"))
    assert event.reason == "Nom mal orthographié" and event.after == {"status": "revoked"}
    # A revoked certificate does not block a new one for the same registration.
    again, created = run(issue, certificate.registration_id)
    assert created and again.serial != certificate.serial


def test_snapshot_does_not_follow_later_edits_and_reissue_takes_the_correction(app, db, ended_session, attendee):
    session = ended_session(title_fr="Protection des mineurs")
    registration = attendee(session, name_latin="Tran Van Mihn", name_native="Trần Văn Mính", locale="vi")
    old = run(issue, registration.id)[0]
    old_code, old_serial = old.code, old.serial
    pdf_before = db.session.scalar(select(Certificate.pdf).where(Certificate.id == old.id))

    from registrations.models import Participant

    participant = db.session.get(Participant, registration.participant_id)
    participant.name_latin, participant.name_native = "Tran Van Minh", "Trần Văn Minh"
    session.title_fr = "Protection des mineurs (édition corrigée)"
    db.session.commit()

    db.session.expire_all()
    kept = db.session.get(Certificate, old.id)
    assert kept.facts["participant_name_latin"] == "Tran Van Mihn"
    assert kept.facts["session_title_fr"] == "Protection des mineurs"
    assert db.session.scalar(select(Certificate.pdf).where(Certificate.id == old.id)) == pdf_before

    new = run(reissue, old.id, reason="Correction du nom")
    db.session.expire_all()
    old = db.session.get(Certificate, old.id)
    assert old.status == CertificateStatus.SUPERSEDED and old.superseded_by_id == new.id
    assert new.status == CertificateStatus.VALID
    assert new.serial != old_serial and new.code != old_code
    assert new.facts["participant_name_latin"] == "Tran Van Minh"
    assert new.facts["session_title_fr"] == "Protection des mineurs (édition corrigée)"
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"certificate.issue", "certificate.reissue", "certificate.supersede"} <= actions
    with pytest.raises(CertificateError):
        run(reissue, old.id)


def test_reissue_refuses_a_registration_no_longer_eligible(app, db, ended_session, attendee):
    registration = attendee(ended_session())
    certificate = run(issue, registration.id)[0]
    registration.state = RegistrationState.CANCELLED
    db.session.commit()
    with pytest.raises(CertificateError):
        run(reissue, certificate.id)
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).status == CertificateStatus.VALID
