"""handled updates: finished, so a redelivered update whose replica died mid-way gets its screen shown again

Revision ID: 0012_handled_finished
Revises: 0011_replica_claims
"""
import sqlalchemy as sa
from alembic import op

revision = '0012_handled_finished'
down_revision = '0011_replica_claims'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('handled_updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('finished', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('handled_updates', schema=None) as batch_op:
        batch_op.drop_column('finished')
