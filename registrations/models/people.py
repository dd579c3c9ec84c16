"""Agencies, user accounts and participants."""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from registrations.extensions import db
from registrations.models.base import LabelledEnum, UTCDateTime, enum_column, utcnow


class AgencyKind(LabelledEnum):
    POLICE = "police"
    GENDARMERIE = "gendarmerie"
    IMMIGRATION = "immigration"
    CUSTOMS = "customs"
    CIVIL_PROTECTION = "civil_protection"
    JUSTICE = "justice"
    OTHER = "other"

    @classmethod
    def labels(cls):
        return {
            cls.POLICE: _l("Police"),
            cls.GENDARMERIE: _l("Gendarmerie"),
            cls.IMMIGRATION: _l("Immigration"),
            cls.CUSTOMS: _l("Customs"),
            cls.CIVIL_PROTECTION: _l("Civil protection"),
            cls.JUSTICE: _l("Justice"),
            cls.OTHER: _l("Other"),
        }


class Role(LabelledEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    PARTNER = "partner"

    @classmethod
    def labels(cls):
        return {
            cls.ADMIN: _l("Administrator"),
            cls.ORGANISER: _l("Organiser"),
            cls.PARTNER: _l("Partner"),
        }


class Agency(db.Model):
    """A partner organisation (or the cooperation office itself), in one country."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short unique code used on the command line and in exports, e.g. "VN-MPS-C03".
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: The name in the agency's own language and script.
    name_local: Mapped[str] = mapped_column(sa.String(200), default="")
    #: ISO 3166-1 alpha-2 country code.
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    kind: Mapped[AgencyKind] = mapped_column(enum_column(AgencyKind), default=AgencyKind.POLICE)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


class Participant(db.Model):
    """A person who attends sessions; partner accounts are participants too."""

    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    #: Full name in Latin script, as in a passport.
    name_latin: Mapped[str] = mapped_column(sa.String(200))
    #: Full name in the person's own script (Vietnamese, Khmer, Lao…), if different.
    name_native: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Accent-free, case-free form of the Latin name, to find the same person twice.
    name_key: Mapped[str] = mapped_column(sa.String(200), index=True, default="")
    rank: Mapped[str] = mapped_column(sa.String(120), default="")
    unit: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    #: Languages spoken, free text ("Vietnamese, French").
    languages: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Language for emails and documents (fr, en, vi, km, lo).
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Set when personal data was erased; the row remains for aggregate figures.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    agency: Mapped[Agency] = relationship(lazy="raise_on_sql")

    @validates("email")
    def _lower_case_email(self, _key, value: str | None) -> str | None:
        """Stored in lower case, so that finding a person by address reads the email index."""
        return value.lower() if value else value

    def __repr__(self) -> str:
        return f"<Participant {self.id}>"


class User(UserMixin, db.Model):
    """A login account: admin, organiser (cooperation office) or partner (one agency)."""

    __tablename__ = "user_account"
    __table_args__ = (
        sa.CheckConstraint("role != 'partner' OR agency_id IS NOT NULL", name="partner_has_agency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    #: The participant record of this person (required for partners).
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participant.id"), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Preferred interface language; empty means "not chosen".
    locale: Mapped[str] = mapped_column(sa.String(5), default="")
    active: Mapped[bool] = mapped_column(default=True)
    #: Bumped on password change or deactivation, which ends every open login session.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the last invitation to choose a password was sent (None: created with a password).
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Random value carried by invitation and password-reset links; replaced when a link is used
    #: or a new one is sent, so that every older link is dead.
    link_nonce: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")

    agency: Mapped[Agency | None] = relationship(lazy="joined")
    participant: Mapped[Participant | None] = relationship(lazy="raise_on_sql")

    def set_password(self, password: str) -> None:
        """Store a scrypt hash of the password (never the password itself)."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """The login session id: changing `session_version` invalidates old sessions."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def invitation_pending(self) -> bool:
        """Invited and not yet having chosen a password."""
        return self.invited_at is not None and not self.password_hash

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        """Organisers and admins: the cooperation office."""
        return self.role in (Role.ADMIN, Role.ORGANISER)

    @property
    def is_partner(self) -> bool:
        return self.role == Role.PARTNER

    def __repr__(self) -> str:
        return f"<User {self.email}>"
