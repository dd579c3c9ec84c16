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
