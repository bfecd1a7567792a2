"""the lead pipeline, meetings, the visibility log

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:00:00

`lead` gets the pipeline's columns (seen by the team, claimed by, resolution and its date)
and the derived `stage`; `leadattempt` holds the contact attempts of a lead; `meeting`
the coordination and network meetings; `attendance` which organisations attended a
meeting under which consent purpose; `visibilitywork` a team's visibility log. Existing
leads get their stage from their snapshot (an old `outcome` still maps to a stage).
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
LEAD_COLUMNS = ("team_seen_on", "claimed_by", "resolution", "resolved_on", "stage")


def _projection(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column('id', TEXT(), nullable=False),
        sa.Column('municipality_id', TEXT(), nullable=False),
        sa.Column('last_seq', sa.Integer(), nullable=False),
        sa.Column('created_by', TEXT(), nullable=True),
        sa.Column('created_hlc', TEXT(), nullable=True),
        sa.Column('updated_hlc', TEXT(), nullable=True),
        sa.Column('has_conflicts', sa.Boolean(), nullable=False),
        sa.Column('flagged', sa.Boolean(), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{name}_last_seq'), ['last_seq'], unique=False)
        batch_op.create_index(batch_op.f(f'ix_{name}_municipality_id'), ['municipality_id'], unique=False)


def upgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        for name in LEAD_COLUMNS:
            batch_op.add_column(sa.Column(name, TEXT(), nullable=True))
    _projection(
        'leadattempt',
        sa.Column('lead_id', TEXT(), nullable=True),
        sa.Column('occurred_at', TEXT(), nullable=True),
        sa.Column('place_type', TEXT(), nullable=True),
        sa.Column('result', TEXT(), nullable=True),
        sa.Column('voided', sa.Boolean(), nullable=False),
    )
    with op.batch_alter_table('leadattempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leadattempt_lead_id'), ['lead_id'], unique=False)
    _projection(
        'meeting',
        sa.Column('citizen_id', TEXT(), nullable=True),
        sa.Column('kind', TEXT(), nullable=True),
        sa.Column('held_on', TEXT(), nullable=True),
        sa.Column('duration_minutes', sa.Integer(), nullable=True),
        sa.Column('citizen_present', sa.Boolean(), nullable=True),
        sa.Column('attendees', sa.JSON(), nullable=True),
        sa.Column('status_since_last', TEXT(), nullable=True),
        sa.Column('agreements', TEXT(), nullable=True),
        sa.Column('next_steps', TEXT(), nullable=True),
        sa.Column('who_does_what', TEXT(), nullable=True),
        sa.Column('minutes', TEXT(), nullable=True),
        sa.Column('voided', sa.Boolean(), nullable=False),
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_citizen_id'), ['citizen_id'], unique=False)
    _projection(
        'visibilitywork',
        sa.Column('team_id', TEXT(), nullable=True),
        sa.Column('done_on', TEXT(), nullable=True),
        sa.Column('kind', TEXT(), nullable=True),
        sa.Column('place_type', TEXT(), nullable=True),
        sa.Column('partners', sa.JSON(), nullable=True),
        sa.Column('reached', sa.Integer(), nullable=True),
        sa.Column('archived', sa.Boolean(), nullable=True),
    )
    with op.batch_alter_table('visibilitywork', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visibilitywork_team_id'), ['team_id'], unique=False)
    op.create_table(
        'attendance',
        sa.Column('record_id', TEXT(), nullable=False),
        sa.Column('org_id', TEXT(), nullable=False),
        sa.Column('purpose', TEXT(), nullable=False),
        sa.PrimaryKeyConstraint('record_id', 'org_id', 'purpose'),
    )
    _backfill()


def _backfill() -> None:
    from sqlmodel import Session

    from server.sync import leads

    with Session(bind=op.get_bind()) as db:
        leads.refresh_lead_stages(db, [row.id for row in db.exec(sa.text("SELECT id FROM lead")).all()])
        db.flush()


def downgrade() -> None:
    op.drop_table('attendance')
    for name, indexes in (('visibilitywork', ('team_id',)), ('meeting', ('citizen_id',)), ('leadattempt', ('lead_id',))):
        with op.batch_alter_table(name, schema=None) as batch_op:
            for column in (*indexes, 'municipality_id', 'last_seq'):
                batch_op.drop_index(batch_op.f(f'ix_{name}_{column}'))
        op.drop_table(name)
    with op.batch_alter_table('lead', schema=None) as batch_op:
        for name in reversed(LEAD_COLUMNS):
            batch_op.drop_column(name)
