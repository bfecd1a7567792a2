"""indexes for the paged lists; duplicate indexes of the snapshots dropped

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 19:40:00

The citizen and lead lists page in (municipality, code, id) and (municipality, seen_on,
id) order (server/api/lists.py). `records` had three indexes that others cover or that
no query uses: municipality_id (covered by municipality_id + last_seq), entity (two or
three values: useless to search by) and last_seq alone. Each costs a B-tree write per
record per push.
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

DROPPED = ("ix_records_municipality_id", "ix_records_entity", "ix_records_last_seq")


def upgrade() -> None:
    op.create_index("ix_citizen_municipality_code", "citizen", ["municipality_id", "code", "id"])
    op.create_index("ix_lead_municipality_seen", "lead", ["municipality_id", "seen_on", "id"])
    for name in DROPPED:
        op.drop_index(name, table_name="records")


def downgrade() -> None:
    op.create_index("ix_records_last_seq", "records", ["last_seq"])
    op.create_index("ix_records_entity", "records", ["entity"])
    op.create_index("ix_records_municipality_id", "records", ["municipality_id"])
    op.drop_index("ix_lead_municipality_seen", table_name="lead")
    op.drop_index("ix_citizen_municipality_code", table_name="citizen")
