"""Registrations: a participant in a training session."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registrations.extensions import db
from registrations.models.base import LabelledEnum, UTCDateTime, enum_column, utcnow
from registrations.models.people import Agency, Participant
from registrations.models.sessions import TrainingSession


class RegistrationState(LabelledEnum):
    PENDING = "pending"
    APPROVED = "approved"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"

    @classmethod
    def labels(cls):
        return {
            cls.PENDING: _l("Pending"),
            cls.APPROVED: _l("Approved"),
            cls.WAITLISTED: _l("Waiting list"),
            cls.REJECTED: _l("Rejected"),
            cls.CANCELLED: _l("Cancelled"),
        }


#: States in which a registration holds or claims a place; at most one per participant/session.
LIVE_STATES = (RegistrationState.PENDING, RegistrationState.APPROVED, RegistrationState.WAITLISTED)
_LIVE_SQL = "state IN ('pending', 'approved', 'waitlisted')"


class Registration(db.Model):
    """A participant's registration for a session, and its decision."""

    __tablename__ = "registration"
    __table_args__ = (
        # At most one live registration per participant and session, enforced by the database.
        sa.Index(
            "uq_registration_live",
            "session_id",
            "participant_id",
            unique=True,
            sqlite_where=sa.text(_LIVE_SQL),
            postgresql_where=sa.text(_LIVE_SQL),
        ),
        sa.Index("ix_registration_session_state", "session_id", "state", "id"),
        sa.Index("ix_registration_agency_created", "agency_id", "id"),
        # A session's list in order of arrival (and the agencies in it); an agency's list filtered
        # by state; the seat offers that are due (looked up whenever registrations are listed).
        sa.Index("ix_registration_session_id", "session_id", "id", "agency_id"),
        sa.Index("ix_registration_agency_state", "agency_id", "state", "id"),
        sa.Index("ix_registration_offer_due", "state", "offer_expires_at"),
        sa.UniqueConstraint("session_id", "personal_code", name="uq_registration_personal_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_session.id"))
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    #: The participant's agency and its country when registering (quotas, scoping by agency).
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    country: Mapped[str] = mapped_column(sa.String(2))
    state: Mapped[RegistrationState] = mapped_column(
        enum_column(RegistrationState), default=RegistrationState.PENDING
    )
    #: True when a colleague nominated the participant rather than self-registering.
    nominated: Mapped[bool] = mapped_column(default=False)
    motivation: Mapped[str] = mapped_column(sa.Text, default="")
    needs_diet: Mapped[str] = mapped_column(sa.String(250), default="")
    needs_interpretation: Mapped[str] = mapped_column(sa.String(250), default="")
    needs_accessibility: Mapped[str] = mapped_column(sa.String(250), default="")
    #: Reason given with the last decision (rejection, cancellation).
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: Organisers' notes, never shown to partners.
    internal_note: Mapped[str] = mapped_column(sa.Text, default="")
    #: Short personal code for check-in (unique within the session).
    personal_code: Mapped[str | None] = mapped_column(sa.String(12))
    #: While a freed seat is offered to this waitlisted registration, the offer's end.
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Place on the session's waiting list (served in ascending order; organisers reorder it).
    waitlist_rank: Mapped[int | None] = mapped_column()
    #: A partner's request to cancel after attendance started, until the organiser confirms or refuses.
    cancel_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    cancel_request_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    session: Mapped[TrainingSession] = relationship(lazy="raise_on_sql")
    participant: Mapped[Participant] = relationship(lazy="raise_on_sql")
    agency: Mapped[Agency] = relationship(lazy="raise_on_sql")

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.state}>"
