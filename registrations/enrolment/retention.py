"""Erasing sensitive answers (passport numbers, scans) some days after their session ended."""

from datetime import timedelta

from sqlalchemy import select

from registrations.clock import local_today
from registrations.enrolment import answer_files
from registrations.extensions import db
from registrations.models import Registration, RegistrationAnswer, RegistrationQuestion, TrainingSession, utcnow


def _erase(answers: list[RegistrationAnswer]) -> int:
    now = utcnow()
    for answer in answers:
        answer_files.remove_after_commit(db.session(), answer.file_key)
        answer.value = answer.file_name = answer.file_type = answer.file_key = ""
        answer.file_size = 0
        answer.purged_at = now
    db.session.flush()
    return len(answers)


def erase_answers_of(registration_ids) -> int:
    """Erase every answer of these registrations (a list or a subquery of ids): anonymisation."""
    return _erase(list(db.session.scalars(select(RegistrationAnswer).where(
        RegistrationAnswer.registration_id.in_(registration_ids), RegistrationAnswer.purged_at.is_(None)))))


def purge_sensitive_answers(days: int) -> int:
    """Erase the value and file of every answer to a sensitive question whose session ended more
    than `days` days ago (office clock); return how many. The row stays, marked erased."""
    limit = local_today() - timedelta(days=days)
    due = list(db.session.scalars(
        select(RegistrationAnswer)
        .join(RegistrationQuestion, RegistrationQuestion.id == RegistrationAnswer.question_id)
        .join(Registration, Registration.id == RegistrationAnswer.registration_id)
        .join(TrainingSession, TrainingSession.id == Registration.session_id)
        .where(RegistrationQuestion.sensitive.is_(True), RegistrationAnswer.purged_at.is_(None),
               TrainingSession.end_date < limit)))
    return _erase(due)
