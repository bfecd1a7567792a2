"""goals in the citizen's words, the contact log as the work is done

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 01:00:00

`goal` holds the behandlingsplan's goals (wording, date, status over time); `contact`
gets the practical help given, outside office hours and a joint call with the citizen
present. All new: nothing to backfill.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
CONTACT_COLUMNS = (('help_given', sa.JSON), ('outside_hours', sa.Boolean), ('joint_call', sa.Boolean))


def upgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        for name, kind in CONTACT_COLUMNS:
            batch_op.add_column(sa.Column(name, kind(), nullable=True))
    op.create_table(
        'goal',
        sa.Column('id', TEXT(), nullable=False),
        sa.Column('municipality_id', TEXT(), nullable=False),
        sa.Column('last_seq', sa.Integer(), nullable=False),
        sa.Column('created_by', TEXT(), nullable=True),
        sa.Column('created_hlc', TEXT(), nullable=True),
        sa.Column('updated_hlc', TEXT(), nullable=True),
        sa.Column('has_conflicts', sa.Boolean(), nullable=False),
        sa.Column('flagged', sa.Boolean(), nullable=False),
        sa.Column('citizen_id', TEXT(), nullable=True),
        sa.Column('wording', TEXT(), nullable=True),
        sa.Column('set_on', TEXT(), nullable=True),
        sa.Column('status', TEXT(), nullable=True),
        sa.Column('status_on', TEXT(), nullable=True),
        sa.Column('archived', sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('goal', schema=None) as batch_op:
        for column in ('citizen_id', 'last_seq', 'municipality_id'):
            batch_op.create_index(batch_op.f(f'ix_goal_{column}'), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('goal', schema=None) as batch_op:
        for column in ('citizen_id', 'last_seq', 'municipality_id'):
            batch_op.drop_index(batch_op.f(f'ix_goal_{column}'))
    op.drop_table('goal')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        for name, _ in reversed(CONTACT_COLUMNS):
            batch_op.drop_column(name)
