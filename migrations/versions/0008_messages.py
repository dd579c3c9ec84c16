"""The outbox: one row per outgoing email, with its delivery state; the per-session choice to
e-mail certificates on issue

Revision ID: 0008_messages
Revises: 0007_invariants
Create Date: 2026-12-04 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import registrations.models.base


# revision identifiers, used by Alembic.
revision = "0008_messages"
down_revision = "0007_invariants"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=True),
        sa.Column("attachments", sa.Text(), nullable=True),
        sa.Column("state", sa.Enum("queued", "sending", "sent", "failed", name="messagestate",
                                   native_enum=False, create_constraint=False, length=20), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=1000), nullable=False),
        sa.Column("next_try_at", registrations.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", registrations.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", registrations.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", registrations.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_message_user_id_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
        sa.CheckConstraint("state IN ('queued', 'sending', 'sent', 'failed')", name=op.f("ck_message_messagestate")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_message_idempotency_key")),
    )
    op.create_index("ix_message_state_next_try", "message", ["state", "next_try_at"], unique=False)
    op.create_index("ix_message_created", "message", ["created_at", "id"], unique=False)
    op.create_index("ix_message_user", "message", ["user_id", "id"], unique=False)
    op.create_index("ix_message_object", "message", ["object_type", "object_id"], unique=False)
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_certificates", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.drop_column("email_certificates")
    op.drop_index("ix_message_object", table_name="message")
    op.drop_index("ix_message_user", table_name="message")
    op.drop_index("ix_message_created", table_name="message")
    op.drop_index("ix_message_state_next_try", table_name="message")
    op.drop_table("message")
