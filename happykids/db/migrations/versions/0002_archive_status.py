"""archive status: the receipt archive's last upload, last error and what the admins were told

Revision ID: 0002_archive_status
Revises: 0001
Create Date: 2026-11-29 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0002_archive_status'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table('archive_status',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('backend', sa.String(length=16), nullable=False),
    sa.Column('last_upload_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_kind', sa.String(length=16), nullable=True),
    sa.Column('last_error_at', sa.DateTime(), nullable=True),
    sa.Column('login_checked_at', sa.DateTime(), nullable=True),
    sa.Column('told_admins', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_status'))
    )
    op.bulk_insert(table, [{'id': 1, 'backend': ''}])  # the one row: every write is an UPDATE, never racing


def downgrade() -> None:
    op.drop_table('archive_status')
