"""A session's questionnaire: default questions, and the organisers' edits before it locks."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from registrations.audit import record
from registrations.clock import local_today
from registrations.extensions import db
from registrations.locking import lock_row
from registrations.models import (
    EvaluationQuestion,
    EvaluationResponse,
    SessionStatus,
    TrainingSession,
)
from registrations.models.sessions import CONTENT_LOCALES

#: The questions every questionnaire starts with: (code, {locale: text}).
DEFAULT_QUESTIONS = [
    ("overall", {
        "fr": "Dans l’ensemble, quelle est votre satisfaction à l’égard de cette session ?",
        "en": "Overall, how satisfied are you with this session?",
        "vi": "Mức độ hài lòng chung về hoạt động đào tạo này?",
        "km": "ជាទូទៅ តើអ្នកពេញចិត្តនឹងវគ្គបណ្ដុះបណ្ដាលនេះកម្រិតណា?",
        "lo": "ໂດຍລວມແລ້ວ ທ່ານພໍໃຈກັບກິດຈະກຳຝຶກອົບຮົມນີ້ໃນລະດັບໃດ?",
    }),
    ("relevance", {
        "fr": "Le contenu est-il utile pour votre travail ?",
        "en": "How relevant is the content to your job?",
        "vi": "Mức độ phù hợp của nội dung với công việc chuyên môn?",
        "km": "តើខ្លឹមសារមានប្រយោជន៍សម្រាប់ការងាររបស់អ្នកកម្រិតណា?",
        "lo": "ເນື້ອໃນມີປະໂຫຍດຕໍ່ວຽກງານຂອງທ່ານໃນລະດັບໃດ?",
    }),
    ("trainers", {
        "fr": "Qualité des formateurs et des intervenants",
        "en": "Quality of the trainers and speakers",
        "vi": "Chất lượng giảng viên và báo cáo viên",
        "km": "គុណភាពរបស់គ្រូបណ្ដុះបណ្ដាល និងវាគ្មិន",
        "lo": "ຄຸນນະພາບຂອງຄູຝຶກ ແລະ ວິທະຍາກອນ",
    }),
    ("organisation", {
        "fr": "Organisation pratique (accueil, salle, horaires, logistique)",
        "en": "Practical organisation (welcome, room, timetable, logistics)",
        "vi": "Công tác tổ chức (đón tiếp, phòng học, thời gian, hậu cần)",
        "km": "ការរៀបចំជាក់ស្ដែង (ការស្វាគមន៍ បន្ទប់ ម៉ោងពេល ភស្តុភារ)",
        "lo": "ການຈັດຕັ້ງປະຕິບັດ (ການຕ້ອນຮັບ, ຫ້ອງປະຊຸມ, ເວລາ, ການບໍລິການ)",
    }),
    ("interpretation", {
        "fr": "Qualité de l’interprétation",
        "en": "Quality of the interpretation",
        "vi": "Chất lượng phiên dịch",
        "km": "គុណភាពនៃការបកប្រែផ្ទាល់មាត់",
        "lo": "ຄຸນນະພາບຂອງການແປພາສາ",
    }),
]

#: Most questions a questionnaire may hold.
MAX_QUESTIONS = 20


class EvaluationError(Exception):
    """An evaluation rule was broken; the message is translated for the user."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


def has_ended(session: TrainingSession, today: date | None = None) -> bool:
    """Whether the session is over (marked completed, or past its last day), and not cancelled."""
    if session.status == SessionStatus.CANCELLED:
        return False
    return session.status == SessionStatus.COMPLETED or session.end_date < (today or local_today())


def has_responses(session: TrainingSession) -> bool:
    return bool(db.session.scalar(select(exists().where(EvaluationResponse.session_id == session.id))))


def is_locked(session: TrainingSession, today: date | None = None) -> bool:
    """The questionnaire can no longer change once the session ended or answers exist."""
    return has_ended(session, today) or has_responses(session)


def questions_of(session: TrainingSession) -> list[EvaluationQuestion]:
    return list(db.session.scalars(
        select(EvaluationQuestion).where(EvaluationQuestion.session_id == session.id)
        .order_by(EvaluationQuestion.position, EvaluationQuestion.id)))


def field_key(question: EvaluationQuestion) -> str:
    """The form field of a question: `q<id>`, or `c_<code>` for a default question shown unsaved."""
    return f"q{question.id}" if question.id is not None else f"c_{question.code}"


def posted_answers(formdata, questions: list[EvaluationQuestion]):
    """The posted form with answers to default questions shown unsaved (`c_<code>`) renamed to
    the fields of the questions now saved (`q<id>`)."""
    data = formdata.copy()
    for question in questions:
        unsaved = f"c_{question.code}"
        if question.code and unsaved in data and f"q{question.id}" not in data:
            data.setlist(f"q{question.id}", data.poplist(unsaved))
    return data


def questions_for_display(session: TrainingSession) -> list[EvaluationQuestion]:
    """The session's questions, or the default questionnaire unsaved (a page read writes nothing;
    the first form posted creates it, see `ensure_questions`)."""
    questions = questions_of(session)
    if questions:
        return questions
    return [EvaluationQuestion(session_id=session.id, position=position, code=code,
                               **{f"text_{locale}": texts[locale] for locale in CONTENT_LOCALES})
            for position, (code, texts) in enumerate(DEFAULT_QUESTIONS, start=1)]


def ensure_questions(session: TrainingSession) -> list[EvaluationQuestion]:
    """The session's questions, creating the default questionnaire on first use (flushed; the
    edge commits)."""
    questions = questions_of(session)
    if questions:
        return questions
    for position, (code, texts) in enumerate(DEFAULT_QUESTIONS, start=1):
        db.session.add(EvaluationQuestion(session_id=session.id, position=position, code=code,
                                          **{f"text_{locale}": texts[locale] for locale in CONTENT_LOCALES}))
    db.session.flush()
    return questions_of(session)


@dataclass
class QuestionInput:
    """One row of the questionnaire editor: an existing question (id) or a new one."""

    id: int | None
    position: int
    texts: dict = field(default_factory=dict)
    remove: bool = False


def save_questions(session: TrainingSession, rows: list[QuestionInput], *, actor) -> list[EvaluationQuestion]:
    """Add, remove, reorder and reword questions, all at once, while the questionnaire is open."""
    kept = [row for row in rows if not row.remove and (row.id is not None or any(row.texts.values()))]
    for row in kept:
        if not (row.texts.get("fr") or "").strip():
            raise EvaluationError(_l("Each question needs its French text."))
        if any(len(text or "") > 300 for text in row.texts.values()):
            raise EvaluationError(_l("A question may hold 300 characters at most."))
    if not kept:
        raise EvaluationError(_l("A questionnaire needs at least one question."))
    if len(kept) > MAX_QUESTIONS:
        raise EvaluationError(_l("A questionnaire may hold %(num)d questions at most.", num=MAX_QUESTIONS))
    session = lock_row(TrainingSession, session.id)
    if is_locked(session):
        raise EvaluationError(
            _l("The questionnaire is locked: the session has ended or answers have been received."), status=409)
    existing = {question.id: question for question in questions_of(session)}
    unknown = {row.id for row in rows if row.id is not None} - existing.keys()
    if unknown:
        raise EvaluationError(_l("This questionnaire has changed meanwhile. Reload the page."), status=409)
    before = [question.text_fr for question in existing.values()]
    kept_ids = {row.id for row in kept if row.id is not None}
    for question_id, question in existing.items():
        if question_id not in kept_ids:
            db.session.delete(question)
    ordered = sorted(enumerate(kept), key=lambda pair: (pair[1].position, pair[0]))
    for position, (_, row) in enumerate(ordered, start=1):
        question = existing.get(row.id) if row.id is not None else None
        if question is None:
            question = EvaluationQuestion(session_id=session.id)
            db.session.add(question)
        question.position = position
        for locale in CONTENT_LOCALES:
            setattr(question, f"text_{locale}", (row.texts.get(locale) or "").strip())
    db.session.flush()
    after = [question.text_fr for question in questions_of(session)]
    record("evaluation.questions", session, actor=actor, before={"questions": before}, after={"questions": after})
    db.session.flush()
    return questions_of(session)
