"""update_inbox: fetched updates kept until handled, so polling confirms a batch at once (issue #8)

Revision ID: 0006_update_inbox
Revises: 0005_projects
Create Date: 2026-11-29 16:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_update_inbox'
down_revision = '0005_projects'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('update_inbox',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_update_inbox'))
    )
    with op.batch_alter_table('update_inbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_update_inbox_received_at'), ['received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('update_inbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_update_inbox_received_at'))
    op.drop_table('update_inbox')
