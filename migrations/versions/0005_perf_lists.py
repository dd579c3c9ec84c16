"""Indexes for the registrations lists: by session in order, by agency and state, due offers

Revision ID: 0005_perf_lists
Revises: 0004_perf
Create Date: 2026-11-27 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import registrations.models.base


# revision identifiers, used by Alembic.
revision = "0005_perf_lists"
down_revision = "0004_perf"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_registration_session_id", "registration", ["session_id", "id", "agency_id"], unique=False)
    op.create_index("ix_registration_agency_state", "registration", ["agency_id", "state", "id"], unique=False)
    op.create_index("ix_registration_offer_due", "registration", ["state", "offer_expires_at"], unique=False)


def downgrade():
    op.drop_index("ix_registration_offer_due", table_name="registration")
    op.drop_index("ix_registration_agency_state", table_name="registration")
    op.drop_index("ix_registration_session_id", table_name="registration")
