"""Keeping the PDFs of certificates that were never stored (a job, never a page read)."""

from sqlalchemy import case, func, select, update

from registrations.certificates.rendering import render_many
from registrations.extensions import db
from registrations.models import Certificate, CertificateStatus, Registration


def _valid(session_id: int | None):
    query = select(Certificate.id, Certificate.facts).where(Certificate.status == CertificateStatus.VALID)
    if session_id is not None:
        query = query.join(Registration, Registration.id == Certificate.registration_id).where(
            Registration.session_id == session_id)
    return query


def store_missing_pdfs(session_id: int | None = None, limit: int = 500, batch: int = 24) -> int:
    """Draw and store up to `limit` missing PDFs of valid certificates (of one session, or all),
    committing per batch so that the progress shows."""
    stored = 0
    while stored < limit:
        rows = db.session.execute(
            _valid(session_id).where(Certificate.pdf.is_(None))
            .order_by(Certificate.id).limit(min(batch, limit - stored))
        ).all()
        if not rows:
            break
        # End the read before drawing: on SQLite a transaction that read, then writes after
        # another writer committed, is refused at once ("database is locked") instead of waiting.
        db.session.rollback()
        pdfs = render_many([facts for _id, facts in rows])
        for (certificate_id, _facts), pdf in zip(rows, pdfs, strict=True):
            db.session.execute(update(Certificate).where(Certificate.id == certificate_id, Certificate.pdf.is_(None))
                               .values(pdf=pdf))
        db.session.commit()
        stored += len(rows)
    return stored


def pdf_progress(session_id: int) -> tuple[int, int]:
    """(valid certificates of the session, those whose PDF is stored): one query."""
    total, done = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((Certificate.pdf.is_(None), 0), else_=1)), 0))
        .select_from(Certificate).join(Registration, Registration.id == Certificate.registration_id)
        .where(Registration.session_id == session_id, Certificate.status == CertificateStatus.VALID)
    ).one()
    return int(total), int(done)
