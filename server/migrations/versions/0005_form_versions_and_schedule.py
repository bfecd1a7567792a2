"""forms as versioned data: a response's version, paper flag and occasion; the schedule

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00

`formresponse` (the form_response register) gets `version` (the form version the answers were given against; null is
version 1, what every response before this revision was answered against), `on_paper`
("udfyldt på papir") and `occasion` (the citizen's k-th live response of that form,
derived by the server: sync.derive.occasions), filled in here for existing responses with
the function a push uses. `form_schedule` holds each municipality's cadence (a municipality
without a row has schemas.schedule.DEFAULT_SCHEDULE).
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table('formresponse', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('on_paper', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('occasion', sa.Integer(), nullable=True))
    op.create_table(
        'form_schedule',
        sa.Column('municipality_id', TEXT(), nullable=False),
        sa.Column('starts_on', TEXT(), nullable=False),
        sa.Column('start_within_days', sa.Integer(), nullable=False),
        sa.Column('loebende_months', sa.Integer(), nullable=False),
        sa.Column('progression_months', sa.Integer(), nullable=False),
        sa.Column('progression_max', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('updated_by', TEXT(), nullable=True),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id']),
        sa.PrimaryKeyConstraint('municipality_id'),
    )
    _backfill()


def _backfill() -> None:
    from sqlmodel import Session

    from server.sync.occasions import refresh_occasions

    with Session(bind=op.get_bind()) as db:
        citizens = db.exec(sa.text("SELECT DISTINCT citizen_id FROM formresponse")).scalars().all()
        refresh_occasions(db, citizens)
        db.flush()


def downgrade() -> None:
    op.drop_table('form_schedule')
    with op.batch_alter_table('formresponse', schema=None) as batch_op:
        batch_op.drop_column('occasion')
        batch_op.drop_column('on_paper')
        batch_op.drop_column('version')
