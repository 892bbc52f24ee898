"""handled updates: Telegram update ids whose work is committed (a redelivered update is skipped)

Revision ID: 0003_handled_updates
Revises: 0002_archive_status
"""
import sqlalchemy as sa
from alembic import op

revision = '0003_handled_updates'
down_revision = '0002_archive_status'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('handled_updates',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('handled_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_handled_updates'))
    )
    with op.batch_alter_table('handled_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handled_updates_handled_at'), ['handled_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('handled_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handled_updates_handled_at'))
    op.drop_table('handled_updates')
