"""Serial numbers stay unique and certificates single when many organisers issue at once."""

import threading
from datetime import date

from sqlalchemy import select

from registrations.certificates.services import issue, issue_all
from registrations.extensions import db as _db
from registrations.models import Certificate, CertificateStatus

YEAR = date.today().year


def _run_together(app, jobs):
    """Run the callables in threads that start at the same moment; return their errors."""
    barrier = threading.Barrier(len(jobs))
    errors: list = []

    def run(job):
        with app.app_context():
            try:
                barrier.wait()
                job()
            except Exception as error:  # noqa: BLE001 (reported by the test)
                errors.append(error)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_issuing_allocates_each_serial_once(app, db, ended_session, attendee):
    # Two sessions share the prefix: their serials come from one sequence.
    first, second = ended_session(serial_prefix="HAN"), ended_session(serial_prefix="HAN")
    ids = [attendee(first).id for _ in range(4)] + [attendee(second).id for _ in range(4)]
    outcomes: list = []

    def job(registration_id):
        return lambda: outcomes.append((registration_id, issue(registration_id)[1]))

    # Every registration is issued twice at the same time.
    errors = _run_together(app, [job(rid) for rid in ids * 2])
    assert errors == []
    db.session.remove()
    certificates = db.session.scalars(select(Certificate)).all()
    assert sorted(c.registration_id for c in certificates) == sorted(ids)
    assert sorted(c.serial for c in certificates) == [f"HAN-{YEAR}-{n:04d}" for n in range(1, 9)]
    assert len({c.code for c in certificates}) == 8
    created = [rid for rid, was_created in outcomes if was_created]
    assert sorted(created) == sorted(ids)


def test_issue_all_twice_at_once_issues_each_certificate_once(app, db, ended_session, attendee):
    session = ended_session(serial_prefix="PNH")
    ids = [attendee(session).id for _ in range(5)]
    session_id = session.id
    errors = _run_together(app, [lambda: issue_all(session_id), lambda: issue_all(session_id),
                                 lambda: issue(ids[0])])
    assert errors == []
    db.session.remove()
    certificates = db.session.scalars(select(Certificate)).all()
    assert sorted(c.registration_id for c in certificates) == sorted(ids)
    assert all(c.status == CertificateStatus.VALID for c in certificates)
    assert sorted(c.serial for c in certificates) == [f"PNH-{YEAR}-{n:04d}" for n in range(1, 6)]
