"""Keeping the PDFs of certificates that were never stored (a job, never a page read)."""

from sqlalchemy import case, func, select, update

from registrations.certificates.rendering import render_stream
from registrations.extensions import db
from registrations.models import Certificate, CertificateStatus, Registration
from registrations.transaction import after_commit, run


def _valid(session_id: int | None):
    query = select(Certificate.id, Certificate.facts).where(Certificate.status == CertificateStatus.VALID)
    if session_id is not None:
        query = query.join(Registration, Registration.id == Certificate.registration_id).where(
            Registration.session_id == session_id)
    return query


def store_missing_pdfs(session_id: int | None = None, limit: int = 500, batch: int = 240, store: int = 24) -> int:
    """Draw and store up to `limit` missing PDFs of valid certificates (of one session, or all).

    The edge of a job: up to `batch` certificates are read in one unit of work, drawn outside any
    transaction (on SQLite a transaction that read, then writes after another writer committed,
    is refused at once instead of waiting), and stored `store` at a time as they are ready, each
    in a unit of work of its own, so that the progress shows while the rest are drawn.
    """
    stored = 0
    while stored < limit:
        rows = run(_missing, session_id, min(batch, limit - stored))
        if not rows:
            break
        ready = []
        for (certificate_id, _facts), pdf in zip(rows, render_stream([facts for _id, facts in rows]), strict=True):
            ready.append((certificate_id, pdf))
            if len(ready) == store:
                run(_store, ready)
                ready = []
        if ready:
            run(_store, ready)
        stored += len(rows)
    return stored


def _missing(session_id: int | None, size: int) -> list[tuple[int, dict]]:
    return [tuple(row) for row in db.session.execute(
        _valid(session_id).where(Certificate.pdf.is_(None)).order_by(Certificate.id).limit(size))]


def _store(pdfs: list[tuple[int, bytes]]) -> None:
    for certificate_id, pdf in pdfs:
        db.session.execute(update(Certificate).where(Certificate.id == certificate_id, Certificate.pdf.is_(None))
                           .values(pdf=pdf))


def prepare_pdfs(session_id: int) -> None:
    """Have a job draw and store the session's missing PDFs once the current transaction commits."""
    from registrations.tasks import store_session_pdfs

    after_commit(store_session_pdfs, session_id, key=f"store_session_pdfs:{session_id}")


def pdf_progress(session_id: int) -> tuple[int, int]:
    """(valid certificates of the session, those whose PDF is stored): one query."""
    total, done = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((Certificate.pdf.is_(None), 0), else_=1)), 0))
        .select_from(Certificate).join(Registration, Registration.id == Certificate.registration_id)
        .where(Registration.session_id == session_id, Certificate.status == CertificateStatus.VALID)
    ).one()
    return int(total), int(done)
