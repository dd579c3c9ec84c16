"""Marks made on a device without a network and sent later (idempotent by the device's id)

Revision ID: 0016_offline_marks
Revises: 0009_logins
Create Date: 2026-12-05 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import registrations.models.base


# revision identifiers, used by Alembic.
revision = "0016_offline_marks"
down_revision = "0012_questions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "offline_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("present", "late", "excused", "absent", name="attendancestatus",
                                    native_enum=False, create_constraint=False, length=20), nullable=False),
        sa.Column("marked_at", registrations.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", registrations.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.Column("other_status", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["day_id"], ["session_day.id"], name=op.f("fk_offline_mark_day_id_session_day")),
        sa.ForeignKeyConstraint(["marked_by_id"], ["user_account.id"],
                                name=op.f("fk_offline_mark_marked_by_id_user_account")),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"],
                                name=op.f("fk_offline_mark_registration_id_registration")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offline_mark")),
        sa.CheckConstraint("status IN ('present', 'late', 'excused', 'absent')",
                           name=op.f("ck_offline_mark_attendancestatus")),
        sa.UniqueConstraint("client_id", name=op.f("uq_offline_mark_client_id")),
    )
    op.create_index("ix_offline_mark_day_conflict", "offline_mark", ["day_id", "conflict"], unique=False)


def downgrade():
    op.drop_index("ix_offline_mark_day_conflict", table_name="offline_mark")
    op.drop_table("offline_mark")
