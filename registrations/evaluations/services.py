"""Answering a questionnaire (online or from a paper form), and reading the results."""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from registrations.audit import record
from registrations.evaluations.questions import (
    DEFAULT_QUESTIONS,
    EvaluationError,
    has_ended,
    questions_of,
)
from registrations.extensions import db
from registrations.locking import lock_row
from registrations.models import (
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    Participant,
    Registration,
    RegistrationState,
    ResponseSource,
    TrainingSession,
    User,
)
from registrations.models.evaluations import SCORE_MAX, SCORE_MIN


def registration_to_evaluate(user: User, session: TrainingSession) -> Registration | None:
    """The partner's own approved registration in the session, if any."""
    if user.participant_id is None:
        return None
    return db.session.scalar(select(Registration).where(
        Registration.session_id == session.id, Registration.participant_id == user.participant_id,
        Registration.state == RegistrationState.APPROVED))


def response_of(registration: Registration) -> EvaluationResponse | None:
    return db.session.scalar(select(EvaluationResponse).where(EvaluationResponse.registration_id == registration.id))


def sessions_to_evaluate(user: User, today: date | None = None) -> list[dict]:
    """The partner's approved sessions, newest first, with whether each is open and answered."""
    if user.participant_id is None:
        return []
    rows = db.session.execute(
        select(TrainingSession, EvaluationResponse.id)
        .join(Registration, Registration.session_id == TrainingSession.id)
        .outerjoin(EvaluationResponse, EvaluationResponse.registration_id == Registration.id)
        .where(Registration.participant_id == user.participant_id,
               Registration.state == RegistrationState.APPROVED)
        .order_by(TrainingSession.end_date.desc(), TrainingSession.id)
    ).all()
    return [{"session": session, "answered": response_id is not None, "open": has_ended(session, today)}
            for session, response_id in rows]


def submit_response(session: TrainingSession, registration: Registration, scores: dict[int, int | None],
                    comment: str, *, source: ResponseSource, entered_by: User, locale: str,
                    today: date | None = None) -> EvaluationResponse:
    """Record one participant's answers (once per registration) after the session has ended.

    `scores` maps question ids to a score from 1 to 5, or None for a question left blank.
    """
    comment = (comment or "").strip()
    if len(comment) > 5000:
        raise EvaluationError(_l("The comment may hold 5,000 characters at most."))
    if any(score is not None and not SCORE_MIN <= score <= SCORE_MAX for score in scores.values()):
        raise EvaluationError(_l("Each score goes from 1 to 5."))
    if not comment and all(score is None for score in scores.values()):
        raise EvaluationError(_l("Answer at least one question or write a comment."))
    if registration.session_id != session.id or registration.state != RegistrationState.APPROVED:
        raise EvaluationError(_l("Only approved participants evaluate a session."), status=403)
    session = lock_row(TrainingSession, session.id)
    if not has_ended(session, today):
        raise EvaluationError(_l("The evaluation opens once the session has ended."), status=409)
    if response_of(registration) is not None:
        raise EvaluationError(_l("This participant has already evaluated the session."), status=409)
    question_ids = {question.id for question in questions_of(session)}
    if set(scores) - question_ids:
        raise EvaluationError(_l("This questionnaire has changed meanwhile. Reload the page."), status=409)
    response = EvaluationResponse(session_id=session.id, registration_id=registration.id, source=source,
                                  entered_by_id=entered_by.id, locale=locale, comment=comment)
    response.answers = [EvaluationAnswer(question_id=question_id, score=score)
                        for question_id, score in scores.items() if score is not None]
    db.session.add(response)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same registration answered at the same time
        raise EvaluationError(_l("This participant has already evaluated the session."), status=409) from error
    record("evaluation.submitted", response, actor=entered_by,
           after={"registration_id": registration.id, "source": source.value})
    db.session.flush()
    return response


def paper_candidates(session: TrainingSession) -> list[tuple[Registration, Participant]]:
    """Approved registrations of the session that have not answered yet, by name (one query)."""
    return [tuple(row) for row in db.session.execute(
        select(Registration, Participant)
        .join(Participant, Participant.id == Registration.participant_id)
        .outerjoin(EvaluationResponse, EvaluationResponse.registration_id == Registration.id)
        .where(Registration.session_id == session.id, Registration.state == RegistrationState.APPROVED,
               EvaluationResponse.id.is_(None))
        .order_by(Participant.name_key, Participant.id)
    )]


# ---------------------------------------------------------------- results

@dataclass
class QuestionResult:
    question: EvaluationQuestion
    counts: dict[int, int]

    @property
    def answered(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        return sum(s * n for s, n in self.counts.items()) / self.answered if self.answered else None


@dataclass
class SessionResults:
    approved: int
    responses: int
    by_source: dict[str, int]
    questions: list[QuestionResult]
    comments: list[tuple[str, str]]

    @property
    def response_rate(self) -> float:
        return self.responses / self.approved if self.approved else 0.0


def session_results(session: TrainingSession) -> SessionResults:
    """Response rate, distribution and mean per question, and comments (five queries)."""
    questions = questions_of(session)
    approved = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.session_id == session.id, Registration.state == RegistrationState.APPROVED)) or 0
    by_source = {source.value: number for source, number in db.session.execute(
        select(EvaluationResponse.source, func.count()).where(EvaluationResponse.session_id == session.id)
        .group_by(EvaluationResponse.source))}
    counts: dict[int, dict[int, int]] = {}
    for question_id, score, number in db.session.execute(
        select(EvaluationAnswer.question_id, EvaluationAnswer.score, func.count())
        .join(EvaluationQuestion, EvaluationQuestion.id == EvaluationAnswer.question_id)
        .where(EvaluationQuestion.session_id == session.id)
        .group_by(EvaluationAnswer.question_id, EvaluationAnswer.score)
    ):
        counts.setdefault(question_id, {})[score] = number
    comments = [(comment, source.value) for comment, source in db.session.execute(
        select(EvaluationResponse.comment, EvaluationResponse.source)
        .where(EvaluationResponse.session_id == session.id, EvaluationResponse.comment != "")
        .order_by(EvaluationResponse.submitted_at, EvaluationResponse.id))]
    return SessionResults(
        approved=approved, responses=sum(by_source.values()), by_source=by_source,
        questions=[QuestionResult(q, {s: counts.get(q.id, {}).get(s, 0) for s in range(SCORE_MIN, SCORE_MAX + 1)})
                   for q in questions],
        comments=comments)


def default_text(code: str, locale: str) -> str | None:
    for default_code, texts in DEFAULT_QUESTIONS:
        if default_code == code:
            return texts.get(locale) or texts["fr"]
    return None


def compare_sessions(session_ids: list[int], locale: str) -> tuple[list[TrainingSession], list[dict], dict]:
    """Mean score per question across sessions (three queries).

    Default questions line up by their code, others by their French text. Returns the
    sessions, rows {"label", "means": {session_id: mean}, "counts": {session_id: answers}}
    and the number of responses per session.
    """
    sessions = list(db.session.scalars(select(TrainingSession).where(TrainingSession.id.in_(session_ids))
                                       .order_by(TrainingSession.start_date, TrainingSession.id)))
    ids = [s.id for s in sessions]
    responses = dict(db.session.execute(
        select(EvaluationResponse.session_id, func.count()).where(EvaluationResponse.session_id.in_(ids))
        .group_by(EvaluationResponse.session_id)).all())
    rows: dict[str, dict] = {}
    query = (select(EvaluationQuestion.session_id, EvaluationQuestion.code, EvaluationQuestion.text_fr,
                    func.min(EvaluationQuestion.position), func.avg(EvaluationAnswer.score), func.count())
             .join(EvaluationAnswer, EvaluationAnswer.question_id == EvaluationQuestion.id)
             .where(EvaluationQuestion.session_id.in_(ids))
             .group_by(EvaluationQuestion.session_id, EvaluationQuestion.code, EvaluationQuestion.text_fr))
    for session_id, code, text_fr, position, mean, number in db.session.execute(query):
        key = code or "text:" + text_fr.strip().casefold()
        row = rows.setdefault(key, {"label": default_text(code, locale) if code else text_fr,
                                    "order": (0 if code else 1, position), "means": {}, "counts": {}})
        row["means"][session_id] = float(mean)
        row["counts"][session_id] = number
    ordered = sorted(rows.values(), key=lambda row: row["order"])
    return sessions, ordered, responses


def sessions_with_responses() -> list[TrainingSession]:
    """Sessions that received at least one evaluation, newest first (one query)."""
    answered = select(EvaluationResponse.session_id).distinct()
    return list(db.session.scalars(select(TrainingSession).where(TrainingSession.id.in_(answered))
                                   .order_by(TrainingSession.start_date.desc(), TrainingSession.id)))
