"""Answers to a session's registration questions: checked here, then written with the registration.

The forms only carry what was typed or sent; `validate` decides, per question, whether the answer
fits its kind (an option of the list, a date, a number, a PDF/JPEG/PNG checked by content and
size) and whether a required one is there. Every problem is reported at once, by question, and
nothing is written until all answers pass.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from registrations.enrolment import answer_files
from registrations.enrolment.errors import RegistrationError
from registrations.extensions import db
from registrations.models import QuestionKind, Registration, RegistrationAnswer, RegistrationQuestion

#: Longest text answer, in characters.
TEXT_MAX = 1000
#: Dates accepted in answers (birth dates, passport expiries, flights).
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2099, 12, 31)
#: Largest number accepted (in absolute value).
NUMBER_MAX = Decimal(10) ** 9
YES, NO = "yes", "no"


@dataclass
class SentFile:
    """A file as the form received it: its bytes (read up to the limit) and its name."""

    data: bytes
    name: str


@dataclass
class CleanAnswer:
    value: str = ""
    file: answer_files.CheckedFile | None = None


class AnswersInvalid(RegistrationError):
    """Some answers do not fit their questions: `errors` maps a question id to its message."""

    def __init__(self, errors: dict):
        super().__init__(_l("Some answers need correcting: see the messages next to the questions."), 400)
        self.errors = errors


#: Read at every registration and registration page: built once.
_QUESTIONS = (select(RegistrationQuestion).where(RegistrationQuestion.session_id == bindparam("session_id"))
              .order_by(RegistrationQuestion.position, RegistrationQuestion.id))


def session_questions(session_id: int) -> list[RegistrationQuestion]:
    """A session's questions in their order on the form."""
    return list(db.session.scalars(_QUESTIONS, {"session_id": session_id}))


def answers_of(registration_ids: list[int]) -> dict[int, dict[int, RegistrationAnswer]]:
    """The answers of these registrations, {registration id: {question id: answer}}, in one query."""
    found: dict[int, dict[int, RegistrationAnswer]] = {}
    if not registration_ids:
        return found
    for answer in db.session.scalars(select(RegistrationAnswer)
                                     .where(RegistrationAnswer.registration_id.in_(registration_ids))):
        found.setdefault(answer.registration_id, {})[answer.question_id] = answer
    return found


def _one(question: RegistrationQuestion, raw) -> CleanAnswer | None:
    """The answer made clean, None when nothing was given; ValueError(message) when it does not fit."""
    if question.kind == QuestionKind.FILE:
        if not isinstance(raw, SentFile) or not raw.data:
            return None
        limit = current_app.config["ANSWER_FILE_MAX_BYTES"]
        if len(raw.data) > limit:
            raise ValueError(_l("The file is too large (at most %(size)s MB).", size=round(limit / 1048576, 1)))
        try:
            return CleanAnswer(file=answer_files.check(raw.data, raw.name))
        except answer_files.BadFile as error:
            raise ValueError(_l("Send a PDF, JPEG or PNG file.")) from error
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return None
    if question.kind == QuestionKind.TEXT:
        if len(text) > TEXT_MAX:
            raise ValueError(_l("At most %(num)d characters.", num=TEXT_MAX))
        return CleanAnswer(value=text)
    if question.kind == QuestionKind.CHOICE:
        if text not in question.options:
            raise ValueError(_l("Choose one of the options of the list."))
        return CleanAnswer(value=text)
    if question.kind == QuestionKind.YES_NO:
        if text not in (YES, NO):
            raise ValueError(_l("Answer yes or no."))
        return CleanAnswer(value=text)
    if question.kind == QuestionKind.DATE:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            day = None
        if day is None or len(text) != 10 or not DATE_MIN <= day <= DATE_MAX:
            raise ValueError(_l("Enter a date between 1900 and 2099 (year-month-day)."))
        return CleanAnswer(value=day.isoformat())
    try:
        number = Decimal(text.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) >= NUMBER_MAX:
        raise ValueError(_l("Enter a number."))
    return CleanAnswer(value=format(number.normalize(), "f"))


def validate(questions: list[RegistrationQuestion], raw: dict, *,
             existing: dict[int, RegistrationAnswer] | None = None,
             files_later: bool = False) -> dict[int, CleanAnswer]:
    """Check the raw answers ({question id: text or SentFile}) against the questions.

    A required file already stored (`existing`) need not be sent again; `files_later` lets a
    required file wait (batch nominations, completed on each registration's page). Raises
    AnswersInvalid with every problem at once.
    """
    clean: dict[int, CleanAnswer] = {}
    errors: dict[int, str] = {}
    existing = existing or {}
    for question in questions:
        try:
            answer = _one(question, raw.get(question.id))
        except ValueError as error:
            errors[question.id] = error.args[0]
            continue
        if answer is not None:
            clean[question.id] = answer
        elif question.required:
            kept = existing.get(question.id)
            if question.kind == QuestionKind.FILE and ((kept is not None and kept.has_file) or files_later):
                continue
            errors[question.id] = _l("This answer is required.")
    if errors:
        raise AnswersInvalid(errors)
    return clean


def save(registration: Registration, questions: list[RegistrationQuestion], clean: dict[int, CleanAnswer],
         *, replace: bool = False) -> None:
    """Write a registration's answers (in the caller's unit of work). With `replace` (an edit),
    a text question left empty loses its answer; a file question left empty keeps its file."""
    stored = answers_of([registration.id]).get(registration.id, {}) if replace else {}
    for question in questions:
        answer = clean.get(question.id)
        row = stored.get(question.id)
        if answer is None:
            if row is not None and question.kind != QuestionKind.FILE:
                db.session.delete(row)
            continue
        if row is None:
            row = RegistrationAnswer(registration_id=registration.id, question_id=question.id)
            db.session.add(row)
        row.purged_at = None
        if answer.file is not None:
            answer_files.remove_after_commit(db.session(), row.file_key)
            row.file_key = answer_files.save(db.session(), registration.session_id, answer.file)
            row.file_name, row.file_type = answer.file.name, answer.file.content_type
            row.file_size, row.value = len(answer.file.data), ""
        else:
            row.value = answer.value
    db.session.flush()


def shown_value(question: RegistrationQuestion, answer: RegistrationAnswer | None) -> str:
    """An answer as a list, a page or an export shows it (files by their name)."""
    if answer is None:
        return ""
    if answer.purged_at is not None:
        return str(_l("(erased after the session)"))
    if answer.has_file:
        return answer.file_name
    if question.kind == QuestionKind.YES_NO:
        return str(_l("yes") if answer.value == YES else _l("no"))
    return answer.value
