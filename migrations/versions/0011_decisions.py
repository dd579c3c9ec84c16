"""Decisions: the order of a session's waiting list, and partners' requests to cancel once
attendance has started

Revision ID: 0011_decisions
Revises: 0009_logins
Create Date: 2026-12-05 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import registrations.models.base


# revision identifiers, used by Alembic.
revision = "0011_decisions"
down_revision = "0017_search"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waitlist_rank", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cancel_requested_at", registrations.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("cancel_requested_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cancel_request_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.create_foreign_key(batch_op.f("fk_registration_cancel_requested_by_id_user_account"),
                                    "user_account", ["cancel_requested_by_id"], ["id"])
    # The waiting lists keep the order they were served in until now: by id.
    op.execute("UPDATE registration SET waitlist_rank = id WHERE state = 'waitlisted'")


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_registration_cancel_requested_by_id_user_account"),
                                 type_="foreignkey")
        batch_op.drop_column("cancel_request_reason")
        batch_op.drop_column("cancel_requested_by_id")
        batch_op.drop_column("cancel_requested_at")
        batch_op.drop_column("waitlist_rank")
