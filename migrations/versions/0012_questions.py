"""Per-session registration questions and answers

Revision ID: 0012_questions
Revises: 0009_logins
Create Date: 2026-12-05 01:42:49.322371

"""
from alembic import op
import sqlalchemy as sa

import registrations.models.base


# revision identifiers, used by Alembic.
revision = '0012_questions'
down_revision = '0010_outbox_render'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('registration_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('text', 'choice', 'yes_no', 'date', 'number', 'file', name='questionkind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('label_fr', sa.String(length=300), nullable=False),
    sa.Column('label_en', sa.String(length=300), nullable=False),
    sa.Column('label_vi', sa.String(length=300), nullable=False),
    sa.Column('label_km', sa.String(length=300), nullable=False),
    sa.Column('label_lo', sa.String(length=300), nullable=False),
    sa.Column('choices', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('visibility', sa.Enum('office', 'agency', name='questionvisibility', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('created_at', registrations.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name=op.f('fk_registration_question_session_id_training_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_question'))
    )
    with op.batch_alter_table('registration_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_question_session_id'), ['session_id'], unique=False)

    op.create_table('registration_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('file_type', sa.String(length=40), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('file_key', sa.String(length=120), nullable=False),
    sa.Column('purged_at', registrations.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', registrations.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['registration_question.id'], name=op.f('fk_registration_answer_question_id_registration_question')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_registration_answer_registration_id_registration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_answer')),
    sa.UniqueConstraint('registration_id', 'question_id', name='uq_registration_answer')
    )
    with op.batch_alter_table('registration_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_answer_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_answer_registration_id'), ['registration_id'], unique=False)



def downgrade():
    with op.batch_alter_table('registration_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_answer_registration_id'))
        batch_op.drop_index(batch_op.f('ix_registration_answer_question_id'))

    op.drop_table('registration_answer')
    with op.batch_alter_table('registration_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_question_session_id'))

    op.drop_table('registration_question')
