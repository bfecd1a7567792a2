"""municipality heads: pushes of different municipalities run in parallel

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 19:00:00

`municipality_head` holds the top seq of each municipality's last committed push; pulls
read up to it (server/sync/heads.py). Existing databases start every municipality at
the op log's top seq: everything in it is committed.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'municipality_head',
        sa.Column('municipality_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('municipality_id'),
    )
    op.execute(
        "INSERT INTO municipality_head (municipality_id, seq) "
        "SELECT id, (SELECT coalesce(max(seq), 0) FROM ops) FROM municipality"
    )


def downgrade() -> None:
    op.drop_table('municipality_head')
