"""replica claims: who runs an outbox task or a broadcast now and until when, and once-per-run jobs

Several replicas share one PostgreSQL database; a replica killed mid-job leaves it to another when its lease
runs out (workers/leases.py).

Revision ID: 0011_replica_claims
Revises: 0010_renewals
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_replica_claims'
down_revision = '0010_renewals'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job_claims',
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=False),
    sa.Column('claimed_until', sa.DateTime(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_job_claims'))
    )
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(), nullable=True))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claimed_by')

    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claimed_by')

    op.drop_table('job_claims')
