"""a real installation: invitations, identity-provider ids, quarantine decisions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:00:00

`invitation` holds the hashed one-time links to choose a password (new users, resets);
`user.external_id` is the value of the identity provider's matching claim; a quarantined
op gets the project lead's decision (reapplied as a new op, or dismissed with a reason)
and a decision number the phones use as a cursor.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        'invitation',
        sa.Column('token_hash', TEXT(), nullable=False),
        sa.Column('user_id', TEXT(), nullable=False),
        sa.Column('purpose', TEXT(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', TEXT(), nullable=True),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', TEXT(), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_external_id'), ['external_id'], unique=True)
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision', TEXT(), nullable=True))
        batch_op.add_column(sa.Column('decision_reason', TEXT(), nullable=True))
        batch_op.add_column(sa.Column('new_op_id', TEXT(), nullable=True))
        batch_op.add_column(sa.Column('decision_seq', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_quarantine_decision_seq'), ['decision_seq'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantine_decision_seq'))
        for name in ('decision_seq', 'new_op_id', 'decision_reason', 'decision'):
            batch_op.drop_column(name)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_external_id'))
        batch_op.drop_column('external_id')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_user_id'))
    op.drop_table('invitation')
