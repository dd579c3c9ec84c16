"""The programme of a session as a timetable, the people who teach it, and who signs documents."""

from datetime import datetime, time

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registrations.extensions import db
from registrations.models.base import LabelledEnum, UTCDateTime, enum_column, utcnow
from registrations.models.sessions import CONTENT_LOCALES, SessionDay, written_lang


def _localized_lang(obj, field: str, locale: str | None = None) -> str:
    """The language `_localized` answers in (for the `lang` attribute): the rule of every text kept in
    the five languages (`sessions.written_lang`)."""
    return written_lang(obj, field, locale)


def _localized(obj, field: str, locale: str | None = None) -> str:
    """`field` in the reader's language, else in the office's fallback order, else any written."""
    return getattr(obj, f"{field}_{_localized_lang(obj, field, locale)}", "")


class TrainerRole(LabelledEnum):
    TRAINER = "trainer"
    INTERPRETER = "interpreter"

    @classmethod
    def labels(cls):
        return {cls.TRAINER: _l("Trainer"), cls.INTERPRETER: _l("Interpreter")}


class Trainer(db.Model):
    """A trainer or interpreter of the office's programme (not an account)."""

    __tablename__ = "trainer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_latin: Mapped[str] = mapped_column(sa.String(200))
    #: The name in the person's own script (Vietnamese, Khmer, Lao…), when it differs.
    name_native: Mapped[str] = mapped_column(sa.String(200), default="")
    role: Mapped[TrainerRole] = mapped_column(enum_column(TrainerRole), default=TrainerRole.TRAINER)
    #: What the person teaches in or interprets between: "fr-vi,fr-km" (a single code for a trainer).
    language_pairs: Mapped[str] = mapped_column(sa.String(120), default="")
    bio_fr: Mapped[str] = mapped_column(sa.Text, default="")
    bio_en: Mapped[str] = mapped_column(sa.Text, default="")
    bio_vi: Mapped[str] = mapped_column(sa.Text, default="")
    bio_km: Mapped[str] = mapped_column(sa.Text, default="")
    bio_lo: Mapped[str] = mapped_column(sa.Text, default="")
    #: An inactive person is kept for past timetables but offered for no new item.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def bio(self) -> str:
        return _localized(self, "bio")

    @property
    def bio_lang(self) -> str:
        return _localized_lang(self, "bio")

    @property
    def pairs(self) -> list[list[str]]:
        """The language pairs as lists of codes: [["fr", "vi"], ["fr", "km"]]."""
        return [pair.split("-") for pair in self.language_pairs.split(",") if pair]


timetable_item_trainer = sa.Table(
    "timetable_item_trainer",
    db.metadata,
    sa.Column("item_id", sa.ForeignKey("timetable_item.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("trainer_id", sa.ForeignKey("trainer.id"), primary_key=True, index=True),
)


class TimetableItem(db.Model):
    """One slot of a session day's timetable: a lecture, an exercise, a visit, a break."""

    __tablename__ = "timetable_item"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="times_in_order"),
        sa.Index("ix_timetable_item_session_day", "session_id", "day_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_session.id"))
    #: Removing a day (days editor, new dates) removes its items with it.
    day_id: Mapped[int] = mapped_column(sa.ForeignKey("session_day.id", ondelete="CASCADE"), index=True)
    #: Order within the day (organisers reorder items; new ones go in time order).
    position: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[time] = mapped_column(sa.Time)
    ends_at: Mapped[time] = mapped_column(sa.Time)
    title_fr: Mapped[str] = mapped_column(sa.String(250), default="")
    title_en: Mapped[str] = mapped_column(sa.String(250), default="")
    title_vi: Mapped[str] = mapped_column(sa.String(250), default="")
    title_km: Mapped[str] = mapped_column(sa.String(250), default="")
    title_lo: Mapped[str] = mapped_column(sa.String(250), default="")
    description_fr: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    description_vi: Mapped[str] = mapped_column(sa.Text, default="")
    description_km: Mapped[str] = mapped_column(sa.Text, default="")
    description_lo: Mapped[str] = mapped_column(sa.Text, default="")
    room: Mapped[str] = mapped_column(sa.String(120), default="")
    #: Language the item is given in (fr, en, vi, km, lo).
    language: Mapped[str] = mapped_column(sa.String(5), default="fr")
    #: Interpretation offered during the item, codes separated by commas ("vi,km"); empty if none.
    interpretation: Mapped[str] = mapped_column(sa.String(40), default="")

    day: Mapped[SessionDay] = relationship(lazy="raise_on_sql")
    trainers: Mapped[list[Trainer]] = relationship(secondary=timetable_item_trainer, lazy="raise_on_sql",
                                                   order_by=Trainer.name_latin)
    materials: Mapped[list["Material"]] = relationship(back_populates="item", cascade="all, delete-orphan",
                                                      passive_deletes=True, lazy="raise_on_sql",
                                                      order_by=lambda: Material.id)

    @property
    def title(self) -> str:
        return _localized(self, "title")

    @property
    def title_lang(self) -> str:
        return _localized_lang(self, "title")

    @property
    def description(self) -> str:
        return _localized(self, "description")

    @property
    def description_lang(self) -> str:
        return _localized_lang(self, "description")


class Material(db.Model):
    """A file attached to a timetable item (slides, handouts), for approved participants and the
    office; its bytes live in the uploads folder under `stored_name`, not in the database."""

    __tablename__ = "material"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("timetable_item.id", ondelete="CASCADE"), index=True)
    #: The name shown and offered on download (the uploader's file name, cleaned).
    name: Mapped[str] = mapped_column(sa.String(200))
    #: The file's name in the uploads folder: the SHA-256 of its bytes and the type's extension.
    stored_name: Mapped[str] = mapped_column(sa.String(80))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    item: Mapped[TimetableItem] = relationship(back_populates="materials", lazy="raise_on_sql")


class Signatory(db.Model):
    """Who signs certificates and invitation letters: name, title in five languages, images."""

    __tablename__ = "signatory"
    __table_args__ = (
        # At most one default signatory.
        sa.Index("uq_signatory_default", "is_default", unique=True,
                 postgresql_where=sa.text("is_default"), sqlite_where=sa.text("is_default")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    title_fr: Mapped[str] = mapped_column(sa.String(250))
    title_en: Mapped[str] = mapped_column(sa.String(250), default="")
    title_vi: Mapped[str] = mapped_column(sa.String(250), default="")
    title_km: Mapped[str] = mapped_column(sa.String(250), default="")
    title_lo: Mapped[str] = mapped_column(sa.String(250), default="")
    #: Stored names (uploads folder) of the signature and stamp images; empty when none.
    signature_file: Mapped[str] = mapped_column(sa.String(80), default="")
    stamp_file: Mapped[str] = mapped_column(sa.String(80), default="")
    #: The signatory of sessions that choose none (at most one).
    is_default: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def title_in(self, locale: str) -> str:
        """The title in a language, falling back to French."""
        value = getattr(self, f"title_{locale}", "") if locale in CONTENT_LOCALES else ""
        return value or self.title_fr

    @property
    def title(self) -> str:
        return self.title_in(str(get_locale() or "fr"))
