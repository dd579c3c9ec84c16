"""Index for the catalogue: sessions of one status in date order

Revision ID: 0004_perf
Revises: 0003_certificates
Create Date: 2026-11-27 13:33:46.167753

"""
from alembic import op
import sqlalchemy as sa

import registrations.models.base


# revision identifiers, used by Alembic.
revision = "0004_perf"
down_revision = "0003_certificates"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_training_session_status_start", "training_session", ["status", "start_date"], unique=False)


def downgrade():
    op.drop_index("ix_training_session_status_start", table_name="training_session")
