"""Helpers shared by the administration, evaluation and report tests (plain functions)."""

import re
import secrets
from datetime import date, timedelta

from sqlalchemy import select

from registrations.models import (
    Attendance,
    AttendanceStatus,
    Certificate,
    CertificateStatus,
    EvaluationAnswer,
    EvaluationResponse,
    Registration,
    ResponseSource,
    SessionDay,
    SessionStatus,
)

LINK = re.compile(r"https?://[^/\s]+(/account/(?:invitation|reset)/\S+)")


def link_in(mail) -> str:
    """The path of the invitation or reset link in an email's body."""
    match = LINK.search(mail.body)
    assert match, mail.body
    return match.group(1)


def ended_session(make_session, days: int = 3, ago: int = 10, **fields):
    """A session that ended `ago` days ago (status completed by default)."""
    fields.setdefault("status", SessionStatus.COMPLETED)
    start = date.today() - timedelta(days=ago + days - 1)
    return make_session(days=days, start=start, **fields)


def certify(db, registration: Registration, status=CertificateStatus.VALID, facts=None, pdf=None) -> Certificate:
    certificate = Certificate(registration_id=registration.id, serial=f"T-{secrets.token_hex(4)}",
                              code=secrets.token_urlsafe(20), status=status, facts=facts or {}, pdf=pdf)
    db.session.add(certificate)
    db.session.commit()
    return certificate


def mark(db, registration: Registration, statuses) -> None:
    """One attendance mark per session day, in date order."""
    days = db.session.scalars(select(SessionDay).where(SessionDay.session_id == registration.session_id)
                              .order_by(SessionDay.date)).all()
    for day, status in zip(days, statuses, strict=False):
        db.session.add(Attendance(registration_id=registration.id, day_id=day.id, status=AttendanceStatus(status)))
    db.session.commit()


def answer(db, registration: Registration, scores: dict, comment: str = "", source=ResponseSource.WEB):
    """Store an evaluation directly (bypassing the rules), scores keyed by question."""
    response = EvaluationResponse(session_id=registration.session_id, registration_id=registration.id,
                                  source=source, comment=comment)
    response.answers = [EvaluationAnswer(question_id=q.id, score=s) for q, s in scores.items()]
    db.session.add(response)
    db.session.commit()
    return response
