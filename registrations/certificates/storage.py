"""Keeping the PDFs of certificates that were never stored (a job, never a page read)."""

from sqlalchemy import select, update

from registrations.certificates.facts import render
from registrations.extensions import db
from registrations.models import Certificate, CertificateStatus


def store_missing_pdfs(limit: int = 500, batch: int = 50) -> int:
    """Draw and store up to `limit` missing PDFs of valid certificates, committing per batch."""
    stored = 0
    while stored < limit:
        rows = db.session.execute(
            select(Certificate.id, Certificate.facts)
            .where(Certificate.status == CertificateStatus.VALID, Certificate.pdf.is_(None))
            .order_by(Certificate.id).limit(min(batch, limit - stored))
        ).all()
        if not rows:
            break
        for certificate_id, facts in rows:
            db.session.execute(update(Certificate).where(Certificate.id == certificate_id, Certificate.pdf.is_(None))
                               .values(pdf=render(facts)))
        db.session.commit()
        stored += len(rows)
    return stored
