"""Per-session registration questions set by the office, and the registrants' answers."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registrations.extensions import db
from registrations.models.base import LabelledEnum, UTCDateTime, enum_column, utcnow
from registrations.models.registrations import Registration
from registrations.models.sessions import CONTENT_LOCALES


class QuestionKind(LabelledEnum):
    TEXT = "text"
    CHOICE = "choice"
    YES_NO = "yes_no"
    DATE = "date"
    NUMBER = "number"
    FILE = "file"

    @classmethod
    def labels(cls):
        return {
            cls.TEXT: _l("Text"),
            cls.CHOICE: _l("Choice from a list"),
            cls.YES_NO: _l("Yes or no"),
            cls.DATE: _l("Date"),
            cls.NUMBER: _l("Number"),
            cls.FILE: _l("File (PDF, JPEG or PNG)"),
        }


class QuestionVisibility(LabelledEnum):
    OFFICE = "office"
    AGENCY = "agency"

    @classmethod
    def labels(cls):
        return {
            cls.OFFICE: _l("The cooperation office only"),
            cls.AGENCY: _l("The office and the registrant's agency"),
        }


class RegistrationQuestion(db.Model):
    """One question a session's registration and nomination forms ask."""

    __tablename__ = "registration_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_session.id"), index=True)
    #: Order on the form (smallest first).
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind), default=QuestionKind.TEXT)
    label_fr: Mapped[str] = mapped_column(sa.String(300))
    label_en: Mapped[str] = mapped_column(sa.String(300), default="")
    label_vi: Mapped[str] = mapped_column(sa.String(300), default="")
    label_km: Mapped[str] = mapped_column(sa.String(300), default="")
    label_lo: Mapped[str] = mapped_column(sa.String(300), default="")
    #: The options of a choice question, one per line, as the form shows them.
    choices: Mapped[str] = mapped_column(sa.Text, default="")
    required: Mapped[bool] = mapped_column(default=False)
    #: Who sees the answers once given: the office only, or the registrant's agency too.
    visibility: Mapped[QuestionVisibility] = mapped_column(
        enum_column(QuestionVisibility), default=QuestionVisibility.AGENCY)
    #: Personal data such as a passport number: purged some days after the session (retention job).
    sensitive: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def localized(self, locale: str | None = None) -> str:
        """The label in the reader's language, else English, else French."""
        code = locale or str(get_locale() or "fr")
        value = getattr(self, f"label_{code}", "") if code in CONTENT_LOCALES else ""
        return value or self.label_en or self.label_fr

    @property
    def label(self) -> str:
        return self.localized()

    @property
    def options(self) -> list[str]:
        """The options of a choice question, without blank lines."""
        return [line.strip() for line in (self.choices or "").splitlines() if line.strip()]

    @property
    def shared_with_agency(self) -> bool:
        return self.visibility == QuestionVisibility.AGENCY

    def __repr__(self) -> str:
        return f"<RegistrationQuestion {self.id} {self.kind}>"


class RegistrationAnswer(db.Model):
    """A registration's answer to one question: a text value, or a stored file."""

    __tablename__ = "registration_answer"
    __table_args__ = (sa.UniqueConstraint("registration_id", "question_id", name="uq_registration_answer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("registration_question.id"), index=True)
    #: The answer as text: dates ISO, numbers as written, yes/no as "yes"/"no".
    value: Mapped[str] = mapped_column(sa.Text, default="")
    #: A file answer: its name as sent, its content type, size and key under ANSWER_FILES_PATH.
    file_name: Mapped[str] = mapped_column(sa.String(200), default="")
    file_type: Mapped[str] = mapped_column(sa.String(40), default="")
    file_size: Mapped[int] = mapped_column(default=0)
    file_key: Mapped[str] = mapped_column(sa.String(120), default="")
    #: When the retention job erased this sensitive answer (value and file).
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship(lazy="raise_on_sql")
    question: Mapped[RegistrationQuestion] = relationship(lazy="raise_on_sql")

    @property
    def has_file(self) -> bool:
        return bool(self.file_key)
