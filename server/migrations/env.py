"""Alembic environment: runs against the engine the app hands over (no alembic.ini URL)."""
from alembic import context
from sqlmodel import SQLModel

import schemas.accounts  # noqa: F401
import schemas.oplog  # noqa: F401
import schemas.records  # noqa: F401
import schemas.schedule  # noqa: F401

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
