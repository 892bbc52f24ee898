"""project audience, announcements and funnel: a broadcast's URL button, the project of a funnel event

The projects' columns for the audience (audience, audience_groups, age_min, age_max) and the poster came with
0005; announcing a project needs a button under a broadcast, and the projects' funnel needs to know the project.

Revision ID: 0007_project_audience
Revises: 0006_update_inbox
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_project_audience'
down_revision = '0006_update_inbox'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('button_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('button_url', sa.Text(), nullable=True))
    with op.batch_alter_table('funnel_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('project_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('funnel_events', schema=None) as batch_op:
        batch_op.drop_column('project_id')
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_column('button_url')
        batch_op.drop_column('button_text')
