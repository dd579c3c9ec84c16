"""Certificates of attendance, verifiable by anyone through their code."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, deferred, mapped_column

from registrations.extensions import db
from registrations.models.base import LabelledEnum, UTCDateTime, enum_column, utcnow


class CertificateStatus(LabelledEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"

    @classmethod
    def labels(cls):
        return {
            cls.VALID: _l("Valid"),
            cls.REVOKED: _l("Revoked"),
            cls.SUPERSEDED: _l("Superseded"),
        }


class Certificate(db.Model):
    """A certificate issued to an approved registration that met the attendance threshold."""

    __tablename__ = "certificate"
    __table_args__ = (
        # At most one valid certificate per registration, enforced by the database.
        sa.Index(
            "uq_certificate_valid",
            "registration_id",
            unique=True,
            sqlite_where=sa.text("status = 'valid'"),
            postgresql_where=sa.text("status = 'valid'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id"), index=True)
    #: Human-readable serial number, e.g. "HAN-2026-0042".
    serial: Mapped[str] = mapped_column(sa.String(40), unique=True)
    #: Random verification code (at least 128 bits), the key of the public verification page.
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    status: Mapped[CertificateStatus] = mapped_column(
        enum_column(CertificateStatus), default=CertificateStatus.VALID
    )
    #: The facts the certificate was issued with (names, session, dates, days attended).
    facts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    revoke_reason: Mapped[str] = mapped_column(sa.Text, default="")
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificate.id"))
    #: Position in the revocation status list (registrations/credentials/status.py); None for
    #: certificates issued before signed credentials.
    status_index: Mapped[int | None] = mapped_column(sa.Integer, unique=True)
    #: The rendered PDF, stored once at issue: an issued certificate never changes.
    pdf: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
