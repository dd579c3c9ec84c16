"""Serial numbers stay unique and certificates single when many organisers issue at once."""

from datetime import date

from sqlalchemy import select

from registrations.certificates.services import issue, issue_all
from registrations.models import Certificate, CertificateStatus
from registrations.transaction import run

YEAR = date.today().year


def test_concurrent_issuing_allocates_each_serial_once(db, run_together, ended_session, attendee):
    # Two sessions share the prefix: their serials come from one sequence.
    first, second = ended_session(serial_prefix="HAN"), ended_session(serial_prefix="HAN")
    ids = [attendee(first).id for _ in range(4)] + [attendee(second).id for _ in range(4)]
    outcomes: list = []

    def job(registration_id):
        return lambda _barrier: outcomes.append((registration_id, run(issue, registration_id)[1]))

    # Every registration is issued twice at the same time.
    errors = run_together(*(job(rid) for rid in ids * 2))
    assert errors == []
    db.session.remove()
    certificates = db.session.scalars(select(Certificate)).all()
    assert sorted(c.registration_id for c in certificates) == sorted(ids)
    assert sorted(c.serial for c in certificates) == [f"HAN-{YEAR}-{n:04d}" for n in range(1, 9)]
    assert len({c.code for c in certificates}) == 8
    created = [rid for rid, was_created in outcomes if was_created]
    assert sorted(created) == sorted(ids)


def test_issue_all_twice_at_once_issues_each_certificate_once(db, run_together, ended_session, attendee):
    session = ended_session(serial_prefix="PNH")
    ids = [attendee(session).id for _ in range(5)]
    session_id = session.id
    errors = run_together(lambda _barrier: run(issue_all, session_id), lambda _barrier: run(issue_all, session_id),
                          lambda _barrier: run(issue, ids[0]))
    assert errors == []
    db.session.remove()
    certificates = db.session.scalars(select(Certificate)).all()
    assert sorted(c.registration_id for c in certificates) == sorted(ids)
    assert all(c.status == CertificateStatus.VALID for c in certificates)
    assert sorted(c.serial for c in certificates) == [f"PNH-{YEAR}-{n:04d}" for n in range(1, 6)]
