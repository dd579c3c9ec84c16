"""Participant emails in lower case, so that finding a person by address reads the index;
index of sessions' updated_at, whose latest value says whether any session changed

Revision ID: 0006_perf_public
Revises: 0005_perf_lists
Create Date: 2026-11-27 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import registrations.models.base


# revision identifiers, used by Alembic.
revision = "0006_perf_public"
down_revision = "0005_perf_lists"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_training_session_updated_at", "training_session", ["updated_at"], unique=False)
    op.execute(sa.text("UPDATE participant SET email = lower(email) WHERE email <> lower(email)"))


def downgrade():
    # Lower-case addresses are still valid addresses: only the index is removed.
    op.drop_index("ix_training_session_updated_at", table_name="training_session")
