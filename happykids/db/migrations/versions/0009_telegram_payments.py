"""payments made inside Telegram: how a receipt was paid, and the charge ids of Telegram and the provider

Revision ID: 0009_telegram_payments
Revises: 0008_project_parent
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_telegram_payments'
down_revision = '0008_project_parent'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        # Every receipt so far came by the payment link and a photo or PDF.
        batch_op.add_column(sa.Column('method', sa.String(length=16), server_default='link', nullable=False))
        batch_op.add_column(sa.Column('telegram_charge_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('provider_charge_id', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_receipts_telegram_charge_id'), ['telegram_charge_id'])


def downgrade() -> None:
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_receipts_telegram_charge_id'), type_='unique')
        batch_op.drop_column('provider_charge_id')
        batch_op.drop_column('telegram_charge_id')
        batch_op.drop_column('method')
