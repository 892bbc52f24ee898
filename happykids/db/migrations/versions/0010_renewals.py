"""renewals: period lengths, paid periods and the reminders scheduler (issue #13)

Revision ID: 0010_renewals
Revises: 0009_telegram_payments
Create Date: 2026-11-29 16:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_renewals'
down_revision = '0009_telegram_payments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('catalog_periods', schema=None) as batch_op:
        batch_op.add_column(sa.Column('months', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('days', sa.Integer(), nullable=True))

    op.create_table('paid_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('group_code', sa.String(length=64), nullable=False),
    sa.Column('period_code', sa.String(length=64), nullable=True),
    sa.Column('children_count', sa.Integer(), nullable=True),
    sa.Column('paid_until', sa.Date(), nullable=False),
    sa.Column('receipt_id', sa.Integer(), nullable=True),
    sa.Column('stopped_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paid_periods')),
    sa.UniqueConstraint('user_id', 'group_code', name='uq_paid_periods_user_group')
    )
    with op.batch_alter_table('paid_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paid_periods_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_paid_periods_paid_until'), ['paid_until'], unique=False)

    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('key', name=op.f('uq_reminders_key'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_chat_id'), ['chat_id'], unique=False)
        batch_op.create_index('ix_reminders_status_due', ['status', 'due_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_reminders_status_due')
        batch_op.drop_index(batch_op.f('ix_reminders_chat_id'))
    op.drop_table('reminders')
    with op.batch_alter_table('paid_periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paid_periods_paid_until'))
        batch_op.drop_index(batch_op.f('ix_paid_periods_user_id'))
    op.drop_table('paid_periods')
    with op.batch_alter_table('catalog_periods', schema=None) as batch_op:
        batch_op.drop_column('days')
        batch_op.drop_column('months')
