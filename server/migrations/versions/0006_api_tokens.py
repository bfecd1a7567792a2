"""the municipality's read-only API tokens

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 12:00:00

`api_token` holds the hashed tokens a projektleder creates in the office (/kontor/eksport)
so Excel or Power BI can read the reports and the pseudonymous register
(server/office/tokens.py); revoking keeps the row (the audit log names it).
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        'api_token',
        sa.Column('id', TEXT(), nullable=False),
        sa.Column('token_hash', TEXT(), nullable=False),
        sa.Column('municipality_id', TEXT(), nullable=False),
        sa.Column('name', TEXT(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', TEXT(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_by', TEXT(), nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['user.id']),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_token_token_hash'), ['token_hash'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_token_hash'))
        batch_op.drop_index(batch_op.f('ix_api_token_municipality_id'))
    op.drop_table('api_token')
