"""Training sessions (courses, seminars, conferences, study visits) and their days."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registrations.clock import local_date, local_midnight
from registrations.extensions import db
from registrations.i18n import content_order
from registrations.models.base import LabelledEnum, UTCDateTime, enum_column, utcnow

#: Languages a session's title and description may be written in; French is required.
CONTENT_LOCALES = ("fr", "en", "vi", "km", "lo")


def written_lang(obj, field: str, locale: str | None = None) -> str:
    """The language in which `obj.<field>_<code>` is read by a reader of `locale`: theirs, else the
    office's fallback order (`TITLE_FALLBACKS`, e.g. km → en → fr, French last), else any language
    it is written in. One rule for every text kept in the five languages."""
    code = locale or str(get_locale() or "fr")
    for candidate in dict.fromkeys((*content_order(code), *CONTENT_LOCALES)):
        if candidate in CONTENT_LOCALES and getattr(obj, f"{field}_{candidate}", ""):
            return candidate
    return "fr"


class SessionKind(LabelledEnum):
    COURSE = "course"
    SEMINAR = "seminar"
    CONFERENCE = "conference"
    STUDY_VISIT = "study_visit"

    @classmethod
    def labels(cls):
        return {
            cls.COURSE: _l("Training course"),
            cls.SEMINAR: _l("Seminar"),
            cls.CONFERENCE: _l("Conference"),
            cls.STUDY_VISIT: _l("Study visit"),
        }


class Theme(LabelledEnum):
    """The priority themes of the cooperation programme, plus "other"."""

    MIGRATION = "migration"
    TRAFFICKING = "trafficking"
    DRUGS = "drugs"
    COUNTERFEITS = "counterfeits"
    CIVIL_SECURITY = "civil_security"
    OTHER = "other"

    @classmethod
    def labels(cls):
        return {
            cls.MIGRATION: _l("Illegal immigration and document fraud"),
            cls.TRAFFICKING: _l("Trafficking in human beings"),
            cls.DRUGS: _l("Drug trafficking"),
            cls.COUNTERFEITS: _l("Counterfeits harmful to public health"),
            cls.CIVIL_SECURITY: _l("Civil security and crisis management"),
            cls.OTHER: _l("Other"),
        }


class Closure(LabelledEnum):
    """Why nobody may register for a session now (see TrainingSession.registration_closure)."""

    CANCELLED = "cancelled"
    ENDED = "ended"
    DRAFT = "draft"
    CLOSED = "closed"
    NOT_YET_OPEN = "not_yet_open"
    DEADLINE_PASSED = "deadline_passed"

    @classmethod
    def labels(cls):
        return {
            cls.CANCELLED: _l("This session was cancelled."),
            cls.ENDED: _l("This session has ended."),
            cls.DRAFT: _l("This session is a draft: nobody can register yet."),
            cls.CLOSED: _l("Registrations for this session are closed."),
            cls.NOT_YET_OPEN: _l("Registration is not open yet."),
            cls.DEADLINE_PASSED: _l("The registration deadline has passed."),
        }


class SessionStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @classmethod
    def labels(cls):
        return {
            cls.DRAFT: _l("Draft"),
            cls.PUBLISHED: _l("Published"),
            cls.CLOSED: _l("Registrations closed"),
            cls.COMPLETED: _l("Completed"),
            cls.CANCELLED: _l("Cancelled"),
        }


class DayPart(LabelledEnum):
    FULL = "full"
    MORNING = "morning"
    AFTERNOON = "afternoon"

    @classmethod
    def labels(cls):
        return {
            cls.FULL: _l("Full day"),
            cls.MORNING: _l("Morning"),
            cls.AFTERNOON: _l("Afternoon"),
        }


class TrainingSession(db.Model):
    """One dated course, seminar, conference or study visit."""

    __tablename__ = "training_session"
    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="dates_in_order"),
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_taken_in_capacity"),
        # The catalogue: sessions of one status in date order, read from the index, no sort.
        sa.Index("ix_training_session_status_start", "status", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title_fr: Mapped[str] = mapped_column(sa.String(250))
    title_en: Mapped[str] = mapped_column(sa.String(250), default="")
    title_vi: Mapped[str] = mapped_column(sa.String(250), default="")
    title_km: Mapped[str] = mapped_column(sa.String(250), default="")
    title_lo: Mapped[str] = mapped_column(sa.String(250), default="")
    description_fr: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    description_vi: Mapped[str] = mapped_column(sa.Text, default="")
    description_km: Mapped[str] = mapped_column(sa.Text, default="")
    description_lo: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind), index=True)
    theme: Mapped[Theme] = mapped_column(enum_column(Theme), index=True)
    city: Mapped[str] = mapped_column(sa.String(120))
    #: ISO 3166-1 alpha-2 code of the host country.
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    venue: Mapped[str] = mapped_column(sa.String(250), default="")
    start_date: Mapped[date] = mapped_column(sa.Date, index=True)
    end_date: Mapped[date] = mapped_column(sa.Date)
    #: Language the session is taught in (fr, en, vi, km, lo).
    working_language: Mapped[str] = mapped_column(sa.String(5), default="fr")
    #: Interpretation offered, as language codes separated by commas ("vi,km"); empty if none.
    interpretation: Mapped[str] = mapped_column(sa.String(40), default="")
    capacity: Mapped[int] = mapped_column()
    #: Approved registrations, kept in step by the registration service so that seats left
    #: are never recounted per request (and locked with the session row when seats are taken).
    seats_taken: Mapped[int] = mapped_column(default=0)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Eligible partner countries, ISO codes separated by commas ("VN,KH,LA").
    eligible_countries: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Percentage of days attended needed for a certificate.
    attendance_threshold: Mapped[int] = mapped_column(default=80)
    #: Whether an excused absence counts as attended in the attendance rate.
    excused_counts_as_attended: Mapped[bool] = mapped_column(default=False)
    auto_approve: Mapped[bool] = mapped_column(default=False)
    #: When a seat frees, offer it to the next waitlisted person for confirmation instead of
    #: promoting them at once.
    confirm_promotions: Mapped[bool] = mapped_column(default=False)
    #: Certificates are e-mailed to their holders (PDF attached) when issued.
    email_certificates: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    offer_hours: Mapped[int] = mapped_column(default=72)
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus), default=SessionStatus.DRAFT, index=True
    )
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: Accent-free, lower-case text of titles, city and venue for searching.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    #: Prefix of certificate serial numbers, e.g. "HAN".
    serial_prefix: Mapped[str] = mapped_column(sa.String(8), default="")
    duplicated_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("training_session.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: Who signs its certificates and invitation letters; none: the default signatory.
    signatory_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signatory.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the row last changed. Kept pages do not rely on it (a clock): see sessions/version.py.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, index=True)

    days: Mapped[list["SessionDay"]] = relationship(
        back_populates="session",
        order_by=lambda: day_order(),
        cascade="all, delete-orphan",
        lazy="raise_on_sql",
    )
    quotas: Mapped[list["SessionQuota"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", lazy="raise_on_sql"
    )

    def localized_lang(self, field: str, locale: str | None = None) -> str:
        """The language in which `localized` finds the field for this reader (`written_lang`)."""
        return written_lang(self, field, locale)

    def localized(self, field: str, locale: str | None = None) -> str:
        """The title or description in the reader's language, or in the office's fallback order."""
        return getattr(self, f"{field}_{self.localized_lang(field, locale)}") or ""

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def title_lang(self) -> str:
        """The language `title` is written in (for `lang`)."""
        return self.localized_lang("title")

    @property
    def description(self) -> str:
        return self.localized("description")

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def eligible_country_list(self) -> list[str]:
        return [code for code in self.eligible_countries.split(",") if code]

    def accepts_country(self, country: str) -> bool:
        """Whether officers of this country may register (no list means every country)."""
        eligible = self.eligible_country_list
        return not eligible or country in eligible

    @hybrid_method
    def held_abroad_for(self, country):
        """Whether the session is held in another country than `country` (an agency's): the one
        definition of "abroad" (invitation letters), in Python and in SQL."""
        return self.country != country

    def registration_closure(self, now: datetime | None = None) -> Closure | None:
        """Why registration is not open at `now` (default: now), or None when it is open:
        published, not ended, past the opening time (if any) and before the deadline (or the
        office's midnight starting the first day)."""
        now = now or utcnow()
        if self.status == SessionStatus.CANCELLED:
            return Closure.CANCELLED
        if self.status == SessionStatus.COMPLETED or (self.end_date is not None and self.end_date < local_date(now)):
            return Closure.ENDED
        if self.status == SessionStatus.DRAFT:
            return Closure.DRAFT
        if self.status != SessionStatus.PUBLISHED:
            return Closure.CLOSED
        if self.registration_opens_at and now < self.registration_opens_at:
            return Closure.NOT_YET_OPEN
        if self.registration_deadline:
            open_ = now <= self.registration_deadline
        else:
            # Without a deadline, registration closes when the first day begins at the office.
            open_ = now < local_midnight(self.start_date)
        return None if open_ else Closure.DEADLINE_PASSED

    def registration_is_open(self, now: datetime | None = None) -> bool:
        """Whether anyone may register at `now` (see `registration_closure`)."""
        return self.registration_closure(now) is None

    def __repr__(self) -> str:
        return f"<TrainingSession {self.id} {self.title_fr!r}>"


class SessionDay(db.Model):
    """A day (or half-day) of a session; attendance is marked per session day."""

    __tablename__ = "session_day"
    __table_args__ = (sa.UniqueConstraint("session_id", "date", "part", name="uq_session_day_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_session.id"), index=True)
    date: Mapped[date] = mapped_column(sa.Date)
    part: Mapped[DayPart] = mapped_column(enum_column(DayPart), default=DayPart.FULL)
    #: What happens that day, as the organiser writes it.
    programme: Mapped[str] = mapped_column(sa.Text, default="")

    session: Mapped[TrainingSession] = relationship(back_populates="days", lazy="raise_on_sql")


def day_order() -> tuple:
    """Order of session days: by date, then morning, full day, afternoon."""
    part = sa.case((SessionDay.part == DayPart.MORNING, 0), (SessionDay.part == DayPart.AFTERNOON, 2), else_=1)
    return SessionDay.date, part


class SessionQuota(db.Model):
    """Seats reserved at most for one agency or for one country in a session."""

    __tablename__ = "session_quota"
    __table_args__ = (
        sa.CheckConstraint(
            "(agency_id IS NULL) != (country IS NULL)", name="agency_or_country"
        ),
        sa.CheckConstraint("seats >= 0", name="seats_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_session.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    country: Mapped[str | None] = mapped_column(sa.String(2))
    seats: Mapped[int] = mapped_column()

    session: Mapped[TrainingSession] = relationship(back_populates="quotas", lazy="raise_on_sql")
