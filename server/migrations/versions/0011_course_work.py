"""the course as practitioners work it: request date, children in the home, safety

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 22:00:00

`course.requested_on` is the day the citizen asked for treatment (the 14-day rule,
sync.derive.start_wait). `citizen` gets the children-in-the-home fields beyond the yes/no
and the count it had (age bands, informed about the offers for children, told about the
enhanced duty to notify, an underretning's date and sender) and the safety note read
before a visit. All empty: nothing to backfill.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
CITIZEN_COLUMNS = (
    ('children_age_bands', sa.JSON), ('children_offers_on', TEXT), ('notify_duty_told_on', TEXT),
    ('notification_on', TEXT), ('notification_by', TEXT), ('safety_flags', sa.JSON), ('safety_note', TEXT),
)


def upgrade() -> None:
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requested_on', TEXT(), nullable=True))
    with op.batch_alter_table('citizen', schema=None) as batch_op:
        for name, kind in CITIZEN_COLUMNS:
            batch_op.add_column(sa.Column(name, kind(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('citizen', schema=None) as batch_op:
        for name, _ in reversed(CITIZEN_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('requested_on')
