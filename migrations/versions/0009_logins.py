"""Server-side logins (a row per open login) and the version counter of kept public pages

Revision ID: 0009_logins
Revises: 0008_messages
Create Date: 2026-12-04 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import registrations.models.base


# revision identifiers, used by Alembic.
revision = "0009_logins"
down_revision = "0008_messages"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", registrations.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", registrations.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_login_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login")),
    )
    with op.batch_alter_table("login", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_user_id"), ["user_id"], unique=False)
    page_version = op.create_table(
        "page_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_version")),
    )
    # The one row every change bumps (sessions/fragments.py).
    op.bulk_insert(page_version, [{"id": 1, "value": 1}])


def downgrade():
    op.drop_table("page_version")
    with op.batch_alter_table("login", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_user_id"))
    op.drop_table("login")
