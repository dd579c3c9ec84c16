"""`flask check` recounts seats, quotas and certificates; the database refuses what it can."""

import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from registrations.models import (
    Certificate,
    CertificateStatus,
    RegistrationState,
    SessionQuota,
    TrainingSession,
    utcnow,
)


@pytest.fixture
def filled(db, make_session, make_registration, make_participant, make_agency):
    """A session with 2 approved of 4 seats, one open offer, one pending, a country quota of 2."""
    session = make_session(capacity=4)
    agency = make_agency("KH")
    db.session.add(SessionQuota(session_id=session.id, country="KH", seats=2))
    db.session.commit()
    approved = [make_registration(session, make_participant(agency)) for _ in range(2)]
    make_registration(session, make_participant(), state=RegistrationState.WAITLISTED,
                      offer_expires_at=utcnow() + timedelta(hours=5))
    make_registration(session, make_participant(), state=RegistrationState.PENDING)
    for number, registration in enumerate(approved):
        db.session.add(Certificate(registration_id=registration.id, serial=f"HAN-2026-{number:04d}",
                                   code=secrets.token_urlsafe(24), status=CertificateStatus.VALID))
    db.session.commit()
    return session, approved, agency


def test_clean_data_has_no_difference(runner, filled):
    session, _, _ = filled
    assert session.seats_taken == 2
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "No difference" in result.output


def test_each_difference_is_printed_and_fails(db, runner, filled, make_registration, make_participant):
    session, _, kh = filled
    # One more Khmer officer approved behind the rules' back: the quota of 2 is exceeded (3
    # approved of 4 seats: no capacity line).
    extra = make_registration(session, make_participant(kh))
    db.session.execute(sa.update(TrainingSession).where(TrainingSession.id == session.id).values(seats_taken=1))
    db.session.commit()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [
        f"session {session.id}: seats_taken is 1, approved registrations 3",
        f"session {session.id}: country KH holds 3 seats, quota 2",
    ]
    assert extra.id


def test_certificates_checked_even_where_the_index_is_missing(db, runner, filled):
    _, approved, _ = filled
    db.session.execute(sa.text("DROP INDEX uq_certificate_valid"))
    db.session.commit()
    try:
        db.session.add(Certificate(registration_id=approved[0].id, serial="HAN-2026-0099",
                                   code=secrets.token_urlsafe(24), status=CertificateStatus.VALID))
        db.session.commit()
        result = runner.invoke(args=["check"])
        assert result.exit_code == 1
        assert result.output.strip().splitlines() == [f"registration {approved[0].id}: 2 valid certificates"]
    finally:
        db.session.rollback()
        db.session.execute(sa.delete(Certificate).where(Certificate.serial == "HAN-2026-0099"))
        db.session.execute(sa.text("CREATE UNIQUE INDEX uq_certificate_valid ON certificate (registration_id) "
                                   "WHERE status = 'valid'"))
        db.session.commit()


@pytest.mark.parametrize("values", [{"seats_taken": 5}, {"seats_taken": -1}, {"status": "archived"},
                                    {"kind": "party"}])
def test_the_database_refuses_broken_sessions(db, make_session, values):
    session = make_session(capacity=4)
    with pytest.raises(IntegrityError):
        db.session.execute(sa.update(TrainingSession.__table__).where(TrainingSession.id == session.id)
                           .values(**values))
        db.session.flush()
    db.session.rollback()


def test_the_database_refuses_unknown_states(db, make_session, make_registration):
    registration = make_registration(make_session())
    with pytest.raises(IntegrityError):
        db.session.execute(sa.text("UPDATE registration SET state = 'lost' WHERE id = :id"), {"id": registration.id})
    db.session.rollback()
