"""Messages written when they are sent: the outbox row keeps the kind of message and what its
text is made from; subject and body are filled in by the sending job

Revision ID: 0010_outbox_render
Revises: 0009_logins
Create Date: 2026-12-05 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import registrations.models.base


# revision identifiers, used by Alembic.
revision = "0010_outbox_render"
down_revision = "0009_logins"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=40), server_default="", nullable=False))
        batch_op.add_column(sa.Column("context", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("rendered_at", registrations.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
    # Every message recorded so far was written when it was recorded.
    op.execute("UPDATE message SET rendered_at = created_at")


def downgrade():
    # Messages not written yet cannot be kept without their text.
    op.execute("DELETE FROM message WHERE rendered_at IS NULL")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_column("rendered_at")
        batch_op.drop_column("context")
        batch_op.drop_column("kind")
