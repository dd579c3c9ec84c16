"""Attendance marks: one per registration and session day."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from registrations.extensions import db
from registrations.models.base import LabelledEnum, UTCDateTime, enum_column, utcnow


class AttendanceStatus(LabelledEnum):
    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"

    @classmethod
    def labels(cls):
        return {
            cls.PRESENT: _l("Present"),
            cls.LATE: _l("Late"),
            cls.EXCUSED: _l("Excused"),
            cls.ABSENT: _l("Absent"),
        }


class Attendance(db.Model):
    """Whether a registered participant was there on one session day."""

    __tablename__ = "attendance"
    __table_args__ = (sa.UniqueConstraint("registration_id", "day_id", name="uq_attendance_cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id"))
    day_id: Mapped[int] = mapped_column(sa.ForeignKey("session_day.id"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus))
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OfflineMark(db.Model):
    """A mark made on an organiser's device (often without a network) and sent later.

    The device gives each mark a random id: the same id sent again is recognised and counts
    once. When two devices marked the same cell, the later mark time wins; the row keeps what
    happened so the organiser can see the conflicts that were resolved.
    """

    __tablename__ = "offline_mark"
    __table_args__ = (sa.Index("ix_offline_mark_day_conflict", "day_id", "conflict"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The id the device drew for this mark (a UUID, as text): unique, so a resend counts once.
    client_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id"))
    day_id: Mapped[int] = mapped_column(sa.ForeignKey("session_day.id"))
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus))
    #: When the organiser tapped, by the device's clock (never later than its arrival).
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: "applied" (the cell now says `status`) or "superseded" (a later mark kept the cell).
    outcome: Mapped[str] = mapped_column(sa.String(12))
    #: Whether another device had changed the cell since this device last saw it.
    conflict: Mapped[bool] = mapped_column(default=False)
    #: The other device's status: the one replaced (applied) or the one kept (superseded).
    other_status: Mapped[str | None] = mapped_column(sa.String(20))
