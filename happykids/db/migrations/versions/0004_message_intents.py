"""message intents; review copies sent without buttons until recorded, claims that expire

Revision ID: 0004_message_intents
Revises: 0003_handled_updates
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_message_intents'
down_revision = '0003_handled_updates'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'message_intents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('receipt_id', sa.Integer(), nullable=False),
        sa.Column('chat_id', sa.BigInteger(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('message_id', sa.BigInteger(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['receipt_id'], ['receipts.id'], name=op.f('fk_message_intents_receipt_id_receipts'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message_intents')),
        sa.UniqueConstraint('kind', 'receipt_id', 'chat_id', name='uq_message_intents_what'),
    )
    with op.batch_alter_table('message_intents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_intents_receipt_id'), ['receipt_id'], unique=False)
    with op.batch_alter_table('review_messages', schema=None) as batch_op:
        # Copies already sent had their buttons from the start.
        batch_op.add_column(sa.Column('armed', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(), nullable=True))
    # The old code recorded a copy as showing the decision BEFORE editing it, so a kill in between left the
    # card live for good (issue #9, item 3), and nothing tells those copies apart. Copies of decided receipts
    # become "not known to show it": nothing edits them on its own, but a press on one heals it and its
    # siblings (a repeated edit gets "message is not modified", which counts as done).
    copies = sa.table('review_messages', sa.column('receipt_id', sa.Integer()),
                      sa.column('shows_decision', sa.Boolean()))
    receipts = sa.table('receipts', sa.column('id', sa.Integer()), sa.column('status', sa.String()))
    op.execute(copies.update()
               .where(copies.c.receipt_id.in_(sa.select(receipts.c.id).where(receipts.c.status != 'pending')))
               .values(shows_decision=False))


def downgrade() -> None:
    with op.batch_alter_table('review_messages', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('armed')
    with op.batch_alter_table('message_intents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_intents_receipt_id'))
    op.drop_table('message_intents')
