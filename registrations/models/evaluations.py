"""End-of-session evaluations: the questionnaire of a session and the participants' answers."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registrations.extensions import db
from registrations.models.base import LabelledEnum, UTCDateTime, enum_column, utcnow
from registrations.models.sessions import CONTENT_LOCALES

#: Lowest and highest score of a question.
SCORE_MIN, SCORE_MAX = 1, 5


class ResponseSource(LabelledEnum):
    WEB = "web"
    PAPER = "paper"

    @classmethod
    def labels(cls):
        return {cls.WEB: _l("Online"), cls.PAPER: _l("Paper form")}


class EvaluationQuestion(db.Model):
    """One question of a session's questionnaire, answered with a score from 1 to 5."""

    __tablename__ = "evaluation_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_session.id"), index=True)
    #: Order of the question in the questionnaire (smallest first).
    position: Mapped[int] = mapped_column(default=0)
    #: Stable name of a default question ("overall", "trainers"…), so that sessions compare;
    #: empty for a question the organiser wrote.
    code: Mapped[str] = mapped_column(sa.String(30), default="", index=True)
    text_fr: Mapped[str] = mapped_column(sa.String(300))
    text_en: Mapped[str] = mapped_column(sa.String(300), default="")
    text_vi: Mapped[str] = mapped_column(sa.String(300), default="")
    text_km: Mapped[str] = mapped_column(sa.String(300), default="")
    text_lo: Mapped[str] = mapped_column(sa.String(300), default="")

    def localized(self, locale: str | None = None) -> str:
        """The question in the reader's language, falling back to French."""
        code = locale or str(get_locale() or "fr")
        value = getattr(self, f"text_{code}", "") if code in CONTENT_LOCALES else ""
        return value or self.text_fr

    @property
    def text(self) -> str:
        return self.localized()


class EvaluationResponse(db.Model):
    """One participant's completed questionnaire (at most one per registration)."""

    __tablename__ = "evaluation_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_session.id"), index=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id"), unique=True)
    source: Mapped[ResponseSource] = mapped_column(enum_column(ResponseSource), default=ResponseSource.WEB)
    #: Who typed the answers: the participant (web) or an organiser (paper form).
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: Language the questionnaire was answered in.
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr")
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    answers: Mapped[list["EvaluationAnswer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", lazy="raise_on_sql"
    )


class EvaluationAnswer(db.Model):
    """The score given to one question; no row when the question was left blank."""

    __tablename__ = "evaluation_answer"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "question_id", name="uq_evaluation_answer_question"),
        sa.CheckConstraint(f"score >= {SCORE_MIN} AND score <= {SCORE_MAX}", name="score_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_response.id"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_question.id"), index=True)
    score: Mapped[int] = mapped_column()

    response: Mapped[EvaluationResponse] = relationship(back_populates="answers", lazy="raise_on_sql")
