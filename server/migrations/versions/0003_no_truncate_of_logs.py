"""the audit and op logs refuse TRUNCATE too (PostgreSQL)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 19:00:00

Row triggers (0002) do not fire on TRUNCATE, which would empty a log in one statement.
SQLite has no TRUNCATE (its DELETE without WHERE fires the row triggers), so nothing
changes there.
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

APPEND_ONLY = ("auditentry", "ops")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION brobygger_append_only()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
