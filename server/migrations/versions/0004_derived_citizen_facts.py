"""derived citizen facts: course status and duplicate codes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 18:00:00

The `citizen` register gets the course status the office lists by (current phase,
"behandlingsplan mangler", ended) and the duplicate-code flag; `records.derived` carries
facts that depend on other records to the phones. Existing rows are filled in from the
snapshots with the same functions a push uses (server.sync.derived).
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

STATUS = (
    ("phase", sqlmodel.sql.sqltypes.AutoString()),
    ("phase_date", sqlmodel.sql.sqltypes.AutoString()),
    ("course_id", sqlmodel.sql.sqltypes.AutoString()),
    ("course_ended", sa.Boolean()),
    ("plan_missing", sa.Boolean()),
    ("duplicate_code", sa.Boolean()),
)


def upgrade() -> None:
    with op.batch_alter_table('citizen', schema=None) as batch_op:
        for name, type_ in STATUS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.create_index(batch_op.f('ix_citizen_duplicate_code'), ['duplicate_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_citizen_code'), ['code'], unique=False)
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('derived', sa.JSON(), nullable=True))
    _backfill()


def _backfill() -> None:
    from sqlmodel import Session

    from server.sync import derived

    bind = op.get_bind()
    with Session(bind=bind) as db:
        citizens = db.exec(sa.text("SELECT id, municipality_id, code FROM citizen")).all()
        derived.refresh_citizen_status(db, [row.id for row in citizens])
        seq = db.exec(sa.text("SELECT coalesce(max(seq), 0) FROM ops")).scalar()
        by_municipality: dict[str, set[str]] = {}
        for row in citizens:
            if row.code:
                by_municipality.setdefault(row.municipality_id, set()).add(row.code)
        for municipality_id, codes in by_municipality.items():
            derived.refresh_duplicate_codes(db, municipality_id, codes, seq)
        db.flush()


def downgrade() -> None:
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_column('derived')
    with op.batch_alter_table('citizen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citizen_code'))
        batch_op.drop_index(batch_op.f('ix_citizen_duplicate_code'))
        for name, _ in reversed(STATUS):
            batch_op.drop_column(name)
