"""The office's questions on a session's registration form: add, correct, remove."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from registrations import audit
from registrations.enrolment import answer_files
from registrations.enrolment.errors import RegistrationError
from registrations.extensions import db
from registrations.models import (
    QuestionKind,
    QuestionVisibility,
    RegistrationAnswer,
    RegistrationQuestion,
    TrainingSession,
    User,
)
from registrations.models.sessions import CONTENT_LOCALES

#: Most questions a session's form may ask.
MAX_QUESTIONS = 30
#: Most options of a choice question.
MAX_OPTIONS = 50


@dataclass
class QuestionInput:
    """What the organiser's form sends for one question."""

    kind: str
    label_fr: str
    label_en: str = ""
    label_vi: str = ""
    label_km: str = ""
    label_lo: str = ""
    choices: str = ""
    required: bool = False
    visibility: str = QuestionVisibility.AGENCY.value
    sensitive: bool = False

    def __post_init__(self):
        for name, value in vars(self).items():
            if not isinstance(value, bool):
                setattr(self, name, (value or "").strip())


def _refuse(message, status: int = 409):
    raise RegistrationError(message, status)


def _check(data: QuestionInput) -> list[str]:
    if data.kind not in QuestionKind._value2member_map_:
        _refuse(_l("Choose the kind of answer."), 400)
    if data.visibility not in QuestionVisibility._value2member_map_:
        _refuse(_l("Choose who sees the answers."), 400)
    if not data.label_fr:
        _refuse(_l("Write the question in French at least."), 400)
    options = [line.strip() for line in data.choices.splitlines() if line.strip()]
    if data.kind == QuestionKind.CHOICE.value:
        if len(options) < 2:
            _refuse(_l("A choice question needs at least two options, one per line."), 400)
        if len(options) > MAX_OPTIONS or any(len(option) > 200 for option in options):
            _refuse(_l("At most %(num)d options of 200 characters each.", num=MAX_OPTIONS), 400)
        if len(set(options)) != len(options):
            _refuse(_l("Each option may appear only once."), 400)
    return options


def _answered(question_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(RegistrationAnswer)
                             .where(RegistrationAnswer.question_id == question_id)) or 0


def save_question(session_id: int, data: QuestionInput, *, question_id: int | None = None,
                  actor: User | None = None) -> RegistrationQuestion:
    """Add a question to a session's form (or correct one); its kind is fixed once answered."""
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        _refuse(_l("This session does not exist."), 404)
    options = _check(data)
    if question_id is None:
        count = db.session.scalar(select(func.count()).select_from(RegistrationQuestion)
                                  .where(RegistrationQuestion.session_id == session_id)) or 0
        if count >= MAX_QUESTIONS:
            _refuse(_l("A form holds at most %(num)d questions.", num=MAX_QUESTIONS))
        last = db.session.scalar(select(func.max(RegistrationQuestion.position))
                                 .where(RegistrationQuestion.session_id == session_id))
        question = RegistrationQuestion(session_id=session_id, position=(last or 0) + 1)
        db.session.add(question)
        before = None
    else:
        question = db.session.get(RegistrationQuestion, question_id)
        if question is None or question.session_id != session_id:
            _refuse(_l("This question does not exist."), 404)
        if question.kind.value != data.kind and _answered(question.id):
            _refuse(_l("People have answered this question: its kind can no longer change."))
        before = {"label_fr": question.label_fr, "kind": question.kind.value}
    question.kind = QuestionKind(data.kind)
    for code in CONTENT_LOCALES:
        setattr(question, f"label_{code}", getattr(data, f"label_{code}"))
    question.choices = "\n".join(options) if question.kind == QuestionKind.CHOICE else ""
    question.required = bool(data.required)
    question.visibility = QuestionVisibility(data.visibility)
    question.sensitive = bool(data.sensitive)
    db.session.flush()
    audit.record("registration_question.saved", question, actor=actor, before=before,
                 after={"label_fr": question.label_fr, "kind": question.kind.value,
                        "required": question.required, "visibility": question.visibility.value,
                        "sensitive": question.sensitive})
    return question


def delete_question(session_id: int, question_id: int, *, actor: User | None = None) -> None:
    """Remove a question and its answers (their files once the removal is committed)."""
    question = db.session.get(RegistrationQuestion, question_id)
    if question is None or question.session_id != session_id:
        _refuse(_l("This question does not exist."), 404)
    keys = db.session.scalars(select(RegistrationAnswer.file_key).where(
        RegistrationAnswer.question_id == question_id, RegistrationAnswer.file_key != ""))
    for key in keys:
        answer_files.remove_after_commit(db.session(), key)
    answered = _answered(question_id)
    audit.record("registration_question.deleted", question, actor=actor,
                 before={"label_fr": question.label_fr, "answers": answered})
    db.session.execute(delete(RegistrationAnswer).where(RegistrationAnswer.question_id == question_id))
    db.session.delete(question)
    db.session.flush()
