"""Database engine and sessions. SQLite (WAL) by default, PostgreSQL via the URL.

The schema is owned by alembic: `migrate(engine)` upgrades any older database to head.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import create_engine

import schemas.accounts  # noqa: F401  (register tables on SQLModel.metadata)
import schemas.oplog  # noqa: F401
import schemas.records  # noqa: F401

MIGRATIONS = Path(__file__).parents[1] / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: SQL errors must not carry citizen data into logs.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across app crashes in WAL mode
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "heads") -> None:
    """Upgrade to `revision`; by default every head (parallel work may add branches before
    a merge revision joins them)."""
    command.upgrade(alembic_config(engine), revision)

