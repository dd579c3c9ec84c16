"""Signed credentials: each certificate's position in the revocation status list

Revision ID: 0015_credentials
Revises: 0009_logins
Create Date: 2026-12-05 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015_credentials"
down_revision = "0011_decisions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_index", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_certificate_status_index"), ["status_index"])


def downgrade():
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_certificate_status_index"), type_="unique")
        batch_op.drop_column("status_index")
